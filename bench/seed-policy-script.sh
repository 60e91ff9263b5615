#!/bin/sh
# Prints the seed's irqbalance policy script, extracted from the field report, adapted only as
# far as it must be to run it side by side with ours:
#   - its absolute /sys and /proc paths are prefixed with $XEN_IRQ_POLICY_ROOT (empty: the host);
#   - DEVICE and IRQ are taken from its arguments, as irqbalance passes them (the printed script
#     uses them without setting them);
#   - the two if blocks the page cut off are closed.
# Its logic (find | wc for the CPU count, IRQ mod count, xen-dyn only) is left as it is.
# Usage: seed-policy-script.sh [SEED_REPORT] > seed-policy; the default report is ../shared/seed/.
# The $ signs below belong to the generated script and must not expand here.
# shellcheck disable=SC2016
set -eu
here=$(dirname "$0")
report=${1:-$here/../../shared/seed/xen-netback-irq-balance.txt}
[ -r "$report" ] || { echo "seed-policy-script.sh: cannot read $report" >&2; exit 2; }
printf '#!/bin/bash\n'
printf '# Adapted from %s by bench/seed-policy-script.sh\n' "$(basename "$report")"
printf 'ROOT=${XEN_IRQ_POLICY_ROOT:-}\nDEVICE=$1\nIRQ=$2\n'
sed -n '/^#  Argsments are/,/^ *echo ban=true/p' "$report" \
    | sed -e 's#find /sys/#find "$ROOT"/sys/#' \
          -e 's#cat /sys/#cat "$ROOT"/sys/#' \
          -e 's#> /proc/irq/#> "$ROOT"/proc/irq/#'
printf '   fi\nfi\n'
