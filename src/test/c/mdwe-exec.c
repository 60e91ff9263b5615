/*
 * mdwe-exec: runs a command with memory-deny-write-execute in force, as systemd's
 * MemoryDenyWriteExecute=yes does for irqbalance.service: no mapping may become writable and
 * executable, or executable after being writable. Linux 6.3+ (PR_SET_MDWE); the setting is
 * inherited by the command and every process it starts.
 * Usage: mdwe-exec COMMAND [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mdwe-exec COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0) {
		fprintf(stderr, "mdwe-exec: prctl(PR_SET_MDWE): %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mdwe-exec: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
