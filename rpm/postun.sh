#!/bin/sh
# %postun ($1: 0 on erase, 1 on upgrade): irqbalance rereads its settings and asks the hook
# again (on erase, it no longer has one). Never fails the transaction.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1
	systemctl try-restart irqbalance.service >/dev/null 2>&1
fi
exit 0
