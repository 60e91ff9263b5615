#!/bin/sh
# Lays out a dnf repository: the given RPMs copied into REPO_DIR, then createrepo_c's metadata
# (repodata/). Run again with a later release, it adds that RPM and updates the metadata, as a
# publisher does; the RPMs already there stay, so dnf can still downgrade.
# With --sign, each copy (never the original) is signed with rpmsign by the GPG key KEY_NAME of
# $GNUPGHOME (or ~/.gnupg), and the public key is exported beside it as RPM-GPG-KEY-xen-irq-policy,
# the file a .repo's gpgkey= names. Without it the repository is unsigned: what the build lays
# out in target/repo, which dnf refuses under gpgcheck=1 until it is signed.
# Usage: make-repo.sh [--sign KEY_NAME] REPO_DIR RPM...
set -eu
key=
if [ "${1-}" = --sign ]; then
	key=$2
	shift 2
fi
[ $# -ge 2 ] || { echo "usage: make-repo.sh [--sign KEY_NAME] REPO_DIR RPM..." >&2; exit 2; }
repo=$1
shift
mkdir -p "$repo"
for rpm in "$@"; do
	cp "$rpm" "$repo/"
	if [ -n "$key" ]; then
		# Debian's rpm calls gpg2, which Debian does not ship; Fedora has both names.
		rpmsign --addsign --define "_gpg_name $key" --define "_gpg_path ${GNUPGHOME:-$HOME/.gnupg}" \
			--define "__gpg $(command -v gpg)" "$repo/${rpm##*/}" </dev/null >/dev/null
	fi
done
if [ -n "$key" ]; then
	gpg --batch --armor --export "$key" >"$repo/RPM-GPG-KEY-xen-irq-policy"
fi
createrepo_c --quiet --update "$repo"
