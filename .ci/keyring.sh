#!/bin/sh
# The test bus starts this whenever a client asks for org.freedesktop.secrets
# and nobody owns the name: at the start of the suite and again if
# gnome-keyring-daemon dies (it has a known crash when many short-lived
# clients come and go). It always opens the same throw-away keyring folder
# (XDG_DATA_HOME, set in the bus's activation environment by
# test-services.sh) with the same password, so a restarted daemon serves the
# secrets stored so far, unlocked, instead of a new locked keyring.
echo "$$" >>"$CAIRN_TEST_KEYRING_PIDS"
printf 'cairn-test' >"$XDG_DATA_HOME/keyring-password"
exec gnome-keyring-daemon --foreground --unlock --components=secrets <"$XDG_DATA_HOME/keyring-password"
