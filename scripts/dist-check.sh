#!/usr/bin/env bash
# Offline packaging check (toolchain recipe §2): electron-builder --dir with a stand-in Electron
# (no Electron binary can be downloaded here). It proves the configuration, the file list and
# the asar contents; the result does not run. Real installers: `npm run dist` with internet.
set -euo pipefail
cd "$(dirname "$0")/.."
fake="$(mktemp -d)/fake-electron"
mkdir -p "$fake/resources"
# The stand-in carries an Electron fuse wire (sentinel, version 1, 8 fuses at Electron's
# defaults) so that electron-builder's fuse step runs and its result can be checked below.
sentinel=dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX
printf '#!/bin/sh\n%s\001\01010110001\n' "$sentinel" > "$fake/electron" && chmod +x "$fake/electron"
echo MIT > "$fake/LICENSE"; echo x > "$fake/LICENSES.chromium.html"; touch "$fake/chrome-sandbox"
sed -n 's/.*"version": "\(.*\)".*/v\1/p' node_modules/electron/package.json | head -1 > "$fake/version"
npx electron-builder --config build/electron-builder.yml --linux dir \
  -c.electronDist="$fake" -c.npmRebuild=false
asar="out/linux-unpacked/resources/app.asar"
test -f "$asar"
node -e "
  const a=require('@electron/asar'); for (const f of a.listPackage(process.argv[1])) console.log(f)" "$asar" > out/asar-list.txt
for f in /dist/electron/main.js /dist/electron/preload.cjs /dist/renderer/index.html /package.json; do
  grep -qx "$f" out/asar-list.txt || { echo "missing from app.asar: $f" >&2; exit 1; }
done
# The native AES-GCM module must sit outside the archive, where it can be loaded.
gcm=out/linux-unpacked/resources/app.asar.unpacked/native/gcm/build/Release/keyhold_gcm.node
test -f "$gcm" || { echo "missing unpacked: $gcm" >&2; exit 1; }
if grep -E '^/(electron|renderer/src|test|shared)/' out/asar-list.txt; then echo 'sources leaked into app.asar' >&2; exit 1; fi
# Fuses: RunAsNode off, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity
# on, only-from-asar on, browser V8 snapshot as shipped, file:// extra privileges off.
wire=$(grep -ao "${sentinel}..[01r]*" out/linux-unpacked/keyhold | head -1 | cut -c$((${#sentinel} + 3))-)
[ "$wire" = 01001100 ] || { echo "fuse wire is $wire, expected 01001100" >&2; exit 1; }
echo "dist:check ok: out/linux-unpacked ($(wc -l < out/asar-list.txt) entries in app.asar)"
