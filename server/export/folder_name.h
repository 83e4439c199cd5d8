/* The class folder of a category in the ImageFolder layout
 * (<split>/<class folder>/<file_name>), which torchvision's ImageFolder
 * reads directly.
 *
 *   folder = <class_index, zero-padded to the digits of n_classes - 1> "_"
 *            <the category's name, made safe>
 *
 * torchvision numbers classes by sorting folder names; the padded prefix
 * makes that order the class_index order, so ImageFolder's class_to_idx
 * equals the manifest's class_index, and two categories never share a
 * folder (the prefixes differ) even when their safe names are equal. The
 * name is made safe by replacing each of / \ < > : " | ? * and each control
 * character (U+0000-U+001F, U+007F) with "_", then a trailing "." or space
 * with "_", and cutting it to at most 200 bytes at a character boundary (a
 * folder name stays under 255 bytes). The prefix starts with a digit, so
 * "." and ".." cannot occur. Invalid UTF-8 bytes become "_". The Python
 * reader's class_folder does the same. Pure. */
#ifndef TS_EXPORT_FOLDER_NAME_H
#define TS_EXPORT_FOLDER_NAME_H

#include <stddef.h>

#define TS_CLASS_FOLDER_NAME_MAX 200
#define TS_CLASS_FOLDER_SIZE 256 /* prefix (up to 20 digits), "_", name, NUL */

/* Writes the folder of the category with class_index among n_classes
 * (class_index < n_classes) and name into out (TS_CLASS_FOLDER_SIZE). */
void ts_class_folder(size_t class_index, size_t n_classes, const char *name,
		     char out[TS_CLASS_FOLDER_SIZE]);

/* "<part>/<class folder>" with part "train", "val" or "test": the folder of
 * an image in an export in the ImageFolder layout (CONTRACT.md). */
#define TS_IMAGEFOLDER_DIR_SIZE (6 + TS_CLASS_FOLDER_SIZE)
void ts_imagefolder_dir(const char *part, size_t class_index, size_t n_classes, const char *name,
			char out[TS_IMAGEFOLDER_DIR_SIZE]);

#endif
