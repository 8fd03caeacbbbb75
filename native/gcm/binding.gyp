# keyhold_gcm: see keyhold_gcm.c. Built by scripts/build-native.mjs (run by `npm ci`) with
# node-gyp against the running Node's headers, which include OpenSSL's.
{
  "targets": [
    {
      "target_name": "keyhold_gcm",
      "sources": ["keyhold_gcm.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
