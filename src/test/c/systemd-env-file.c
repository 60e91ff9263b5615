/*
 * systemd-env-file: reads a file with systemd 252's own code for EnvironmentFile= and prints
 * what a unit's ExecStart= would get, from Debian 12's libsystemd-shared-252.so (systemd's
 * private library, which exports these functions): load_env_file and strv_env_clean, as
 * exec_context_load_environment in src/core/execute.c calls them, then replace_env_argv for a
 * lone "$VAR" argument. Output, each item ended by a NUL byte: the status of load_env_file
 * (0, or a negative errno when systemd refuses the file), then if it read the file: the
 * assignments it keeps ("KEY=VALUE"), an empty item, and the arguments "$VAR" becomes.
 * Usage: systemd-env-file FILE VAR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prototypes of systemd 252 (src/basic/env-file.h, src/basic/env-util.h). */
int load_env_file(FILE *f, const char *fname, char ***ret);
char **strv_env_clean_with_callback(char **l, void (*invalid_callback)(const char *p, void *userdata), void *userdata);
char **replace_env_argv(char **argv, char **env);

static void item(const char *s)
{
	fwrite(s, 1, strlen(s) + 1, stdout);
}

int main(int argc, char **argv)
{
	char **env = NULL;
	char buf[32];
	char var[4096];
	int r;

	if (argc != 3 || strlen(argv[2]) + 2 > sizeof(var)) {
		fprintf(stderr, "usage: systemd-env-file FILE VAR\n");
		return 2;
	}
	r = load_env_file(NULL, argv[1], &env);
	snprintf(buf, sizeof(buf), "%d", r);
	item(buf);
	if (r < 0)
		return 0;
	env = strv_env_clean_with_callback(env, NULL, NULL);
	for (char **e = env; e && *e; e++)
		item(*e);
	item("");
	snprintf(var, sizeof(var), "$%s", argv[2]);
	char *args[] = { var, NULL };
	char **words = replace_env_argv(args, env);
	if (!words) {
		fprintf(stderr, "systemd-env-file: replace_env_argv failed\n");
		return 1;
	}
	for (char **w = words; *w; w++)
		item(*w);
	return 0;
}
