/* Moving an installation's rows from one backend to another (`tessera
 * migrate --from sqlite:PATH --to postgresql://...`). */
#ifndef TS_STORE_COPY_H
#define TS_STORE_COPY_H

#include <stdio.h>

#include "core/error.h"

/* Copies every table of the SQLite database at from ("sqlite:PATH") into
 * the PostgreSQL database at to, both first brought to the latest schema.
 * Rows are streamed (COPY), so memory does not grow with the installation.
 * Each table is copied in one transaction that also records it as done
 * in the target's migrate_progress table: a run that stopped part-way is
 * resumed by running it again, and tables done before are not copied
 * twice. A target that holds rows not put there by this copy is refused.
 * At the end every table's row count is compared. Progress goes to out. */
enum ts_err ts_store_copy(const char *from, const char *to, FILE *out, struct ts_error *err);

#endif
