#include "export/folder_name.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

void ts_class_folder(size_t class_index, size_t n_classes, const char *name,
		     char out[TS_CLASS_FOLDER_SIZE])
{
	int width = 1;
	size_t o, len = strlen(name), start;

	for (size_t m = n_classes > 0 ? n_classes - 1 : 0; m >= 10; m /= 10)
		width++;
	o = (size_t)snprintf(out, TS_CLASS_FOLDER_SIZE, "%0*zu_", width, class_index);
	start = o;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)name[i];
		size_t n = ts_utf8_seq(name + i, len - i);
		if (n == 0 || c < 0x20 || c == 0x7f || strchr("/\\<>:\"|?*", c)) {
			if (o - start + 1 > TS_CLASS_FOLDER_NAME_MAX)
				break;
			out[o++] = '_';
			i += n ? n : 1;
			continue;
		}
		if (o - start + n > TS_CLASS_FOLDER_NAME_MAX)
			break;
		memcpy(out + o, name + i, n);
		o += n;
		i += n;
	}
	if (o > start && (out[o - 1] == '.' || out[o - 1] == ' '))
		out[o - 1] = '_';
	out[o] = '\0';
}

void ts_imagefolder_dir(const char *part, size_t class_index, size_t n_classes, const char *name,
			char out[TS_IMAGEFOLDER_DIR_SIZE])
{
	char folder[TS_CLASS_FOLDER_SIZE];

	ts_class_folder(class_index, n_classes, name, folder);
	snprintf(out, TS_IMAGEFOLDER_DIR_SIZE, "%.5s/%s", part, folder);
}
