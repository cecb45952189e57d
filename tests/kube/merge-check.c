// SPDX-License-Identifier: Apache-2.0
/* merge-check.c - feed recorded ctrace JSON output of several nodes to the map merge. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "merge.h"
#include "util.h"

/* usage: merge-check PROGRAM.bt NODE=OUTPUT.ndjson... ; prints the merged maps. */
int main(int argc, char **argv)
{
	struct buf prog = {0};
	struct merge *m;

	if (argc < 3 || read_file(argv[1], &prog)) {
		fputs("usage: merge-check PROGRAM.bt NODE=OUTPUT.ndjson...\n", stderr);
		return 2;
	}
	m = merge_new(prog.p);
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct buf out = {0};
		char *line, *save = NULL;

		if (!eq || read_file(eq + 1, &out))
			return 2;
		*eq = '\0';
		for (line = strtok_r(out.p, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct json *rec = json_parse(line, NULL);
			const char *type = json_str(rec, "type");

			if (type && (!strcmp(type, "map") || !strcmp(type, "hist") ||
				     !strcmp(type, "stats")))
				merge_add(m, rec, argv[i]);
			json_free(rec);
		}
		buf_free(&out);
	}
	merge_print(m, stdout);
	merge_free(m);
	buf_free(&prog);
	return 0;
}
