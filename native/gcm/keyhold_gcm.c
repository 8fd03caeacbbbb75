/*
 * keyhold_gcm: AES-256-GCM that writes into buffers the caller owns, for the frames of the
 * envelope pipeline (electron/core/envelope/frames.ts).
 *
 * Why it exists: node:crypto's cipher.update returns a new zero-filled buffer for every call.
 * Profiled on a file job, allocating, zeroing and freeing those buffers took as long as a third
 * of the cipher itself, and each output then had to be copied into the pipeline's own buffer.
 * This module calls the very OpenSSL that node:crypto uses (Node exports its symbols to addons)
 * through the EVP interface and writes ciphertext, tags and plaintext straight into the
 * caller's buffers. It adds no cryptography of its own.
 *
 * electron/core/crypto/gcm-into.ts loads it with RTLD_NOW (a missing symbol fails the load, not
 * a later call), checks its output against node:crypto before first use, and otherwise falls
 * back to node:crypto: e.g. in Electron, whose BoringSSL need not export these symbols.
 *
 * Every argument is checked here, not trusted from JavaScript: bytes must be a Uint8Array (a
 * Buffer) over a plain, unshared ArrayBuffer, else TypeError; a length or offset that does not fit
 * throws RangeError; nothing is read or written outside the buffers given. `version` tells the
 * loader which build it has.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Bumped whenever the interface or its behaviour changes: the loader refuses a stale build. */
#define MODULE_VERSION 1
#define KEY_BYTES 32
#define IV_BYTES 12
#define TAG_BYTES 16

/* Tags the JS objects this module hands out, so no other object is ever taken for one. */
static const napi_type_tag GCM_TAG = {0x6b6579686f6c6467ULL, 0x61657367636d7631ULL};

typedef struct {
  EVP_CIPHER_CTX *ctx; /* NULL once disposed */
  bool seal;
} Gcm;

typedef struct {
  unsigned char *data;
  size_t length;
} Bytes;

static void release(Gcm *gcm) {
  if (gcm->ctx) {
    /* Frees and cleanses the key schedule. */
    EVP_CIPHER_CTX_free(gcm->ctx);
    gcm->ctx = NULL;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release(data);
  free(data);
}

static bool failed(napi_env env, napi_status status) {
  if (status == napi_ok) return false;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, "keyhold_gcm: a Node-API call failed");
  return true;
}

/*
 * A Uint8Array (a Buffer is one) over a plain ArrayBuffer. Not any view: not a SharedArrayBuffer,
 * which another thread could change between OpenSSL's passes over a ciphertext (or read
 * unverified plaintext from).
 */
static bool bytes_arg(napi_env env, napi_value value, const char *message, Bytes *out) {
  bool is_typed = false;
  if (failed(env, napi_is_typedarray(env, value, &is_typed))) return false;
  napi_typedarray_type type = napi_int8_array;
  napi_value backing = NULL;
  void *data = NULL;
  size_t offset = 0;
  if (is_typed && failed(env, napi_get_typedarray_info(env, value, &type, &out->length, &data, &backing, &offset))) return false;
  bool plain_buffer = false;
  if (is_typed && type == napi_uint8_array && failed(env, napi_is_arraybuffer(env, backing, &plain_buffer))) return false;
  if (!plain_buffer) {
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  out->data = data;
  return true;
}

/* A byte offset: an integer from 0 to `limit`. */
static bool offset_arg(napi_env env, napi_value value, size_t limit, size_t *out) {
  napi_valuetype type;
  if (failed(env, napi_typeof(env, value, &type))) return false;
  double number = -1;
  if (type == napi_number && failed(env, napi_get_value_double(env, value, &number))) return false;
  /* Written so that NaN fails the range test before any cast (casting NaN is undefined). */
  if (type != napi_number || !(number >= 0 && number <= (double)limit) || number != (double)(size_t)number) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: the output offset is not an integer within the output buffer");
    return false;
  }
  *out = (size_t)number;
  return true;
}

/* The Gcm behind a context object this module made (disposed or not), or NULL with a TypeError. */
static Gcm *unwrap_context(napi_env env, napi_value value) {
  bool tagged = false;
  napi_valuetype type;
  if (failed(env, napi_typeof(env, value, &type))) return NULL;
  if (type == napi_object && failed(env, napi_check_object_type_tag(env, value, &GCM_TAG, &tagged))) return NULL;
  if (!tagged) {
    napi_throw_type_error(env, NULL, "keyhold_gcm: not a context made by create()");
    return NULL;
  }
  void *data = NULL;
  if (failed(env, napi_unwrap(env, value, &data))) return NULL;
  return data;
}

static Gcm *gcm_arg(napi_env env, napi_value value, bool seal) {
  Gcm *gcm = unwrap_context(env, value);
  if (!gcm) return NULL;
  if (!gcm->ctx) {
    napi_throw_error(env, NULL, "keyhold_gcm: the context was disposed");
    return NULL;
  }
  if (gcm->seal != seal) {
    napi_throw_error(env, NULL, seal ? "keyhold_gcm: this context opens, it cannot seal" : "keyhold_gcm: this context seals, it cannot open");
    return NULL;
  }
  return gcm;
}

static bool overlaps(const Bytes *a, const unsigned char *b, size_t b_length) {
  return a->length && b_length && a->data < b + b_length && b < a->data + a->length;
}

static bool get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (failed(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL))) return false;
  if (argc < expected) {
    napi_throw_type_error(env, NULL, "keyhold_gcm: too few arguments");
    return false;
  }
  return true;
}

/* Runs the IV and the AAD through a context: the start of every seal and open. */
static bool begin(Gcm *gcm, const Bytes *iv, const Bytes *aad) {
  int n = 0;
  if (EVP_CipherInit_ex(gcm->ctx, NULL, NULL, NULL, iv->data, -1) != 1) return false;
  return aad->length == 0 || EVP_CipherUpdate(gcm->ctx, NULL, &n, aad->data, (int)aad->length) == 1;
}

/* create(key: 32-byte Buffer, seal: boolean) → a context that only seals or only opens. */
static napi_value create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  Bytes key;
  if (!bytes_arg(env, argv[0], "keyhold_gcm: key must be a Buffer", &key)) return NULL;
  if (key.length != KEY_BYTES) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: key must be 32 bytes");
    return NULL;
  }
  bool seal = false;
  if (failed(env, napi_get_value_bool(env, argv[1], &seal))) return NULL;
  Gcm *gcm = calloc(1, sizeof *gcm);
  if (!gcm) {
    napi_throw_error(env, NULL, "keyhold_gcm: out of memory");
    return NULL;
  }
  gcm->seal = seal;
  gcm->ctx = EVP_CIPHER_CTX_new();
  /* GCM's default IV length is 12 bytes, the only one this module accepts. */
  if (!gcm->ctx || EVP_CipherInit_ex(gcm->ctx, EVP_aes_256_gcm(), NULL, key.data, NULL, seal ? 1 : 0) != 1) {
    release(gcm);
    free(gcm);
    napi_throw_error(env, NULL, "keyhold_gcm: OpenSSL refused the AES-256-GCM key");
    return NULL;
  }
  napi_value object;
  if (failed(env, napi_create_object(env, &object))) {
    finalize(env, gcm, NULL);
    return NULL;
  }
  if (failed(env, napi_wrap(env, object, gcm, finalize, NULL, NULL))) {
    finalize(env, gcm, NULL);
    return NULL;
  }
  if (failed(env, napi_type_tag_object(env, object, &GCM_TAG))) return NULL;
  return object;
}

/* seal(ctx, iv, aad, plain, out, at) → offset after ciphertext ‖ tag written at out[at]. */
static napi_value seal(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return NULL;
  Gcm *gcm = gcm_arg(env, argv[0], true);
  if (!gcm) return NULL;
  Bytes iv, aad, plain, out;
  size_t at;
  if (!bytes_arg(env, argv[1], "keyhold_gcm: iv must be a Buffer", &iv) || !bytes_arg(env, argv[2], "keyhold_gcm: aad must be a Buffer", &aad) ||
      !bytes_arg(env, argv[3], "keyhold_gcm: plaintext must be a Buffer", &plain) || !bytes_arg(env, argv[4], "keyhold_gcm: out must be a Buffer", &out) ||
      !offset_arg(env, argv[5], out.length, &at)) {
    return NULL;
  }
  if (iv.length != IV_BYTES) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: iv must be 12 bytes");
    return NULL;
  }
  if (aad.length > INT_MAX || plain.length > INT_MAX || out.length - at < plain.length + TAG_BYTES) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: the ciphertext and tag do not fit in out at that offset");
    return NULL;
  }
  unsigned char *dest = out.data + at;
  /* OpenSSL encrypts in place only when input and output start at the same byte. */
  if (overlaps(&plain, dest, plain.length + TAG_BYTES) && plain.data != dest) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: plaintext and output overlap");
    return NULL;
  }
  int n = 0;
  int m = 0;
  bool ok = begin(gcm, &iv, &aad) && (plain.length == 0 || EVP_CipherUpdate(gcm->ctx, dest, &n, plain.data, (int)plain.length) == 1) &&
            (size_t)n == plain.length && EVP_CipherFinal_ex(gcm->ctx, dest + n, &m) == 1 && m == 0 &&
            EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, dest + n) == 1;
  if (!ok) {
    OPENSSL_cleanse(dest, plain.length + TAG_BYTES);
    napi_throw_error(env, NULL, "keyhold_gcm: OpenSSL failed to seal");
    return NULL;
  }
  napi_value result;
  if (failed(env, napi_create_double(env, (double)(at + plain.length + TAG_BYTES), &result))) return NULL;
  return result;
}

/*
 * open(ctx, iv, aad, ct, tag, out, at) → offset after the plaintext written at out[at], or null
 * when the tag does not match; then the bytes written are wiped before returning.
 */
static napi_value open_(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  Gcm *gcm = gcm_arg(env, argv[0], false);
  if (!gcm) return NULL;
  Bytes iv, aad, ct, tag, out;
  size_t at;
  if (!bytes_arg(env, argv[1], "keyhold_gcm: iv must be a Buffer", &iv) || !bytes_arg(env, argv[2], "keyhold_gcm: aad must be a Buffer", &aad) ||
      !bytes_arg(env, argv[3], "keyhold_gcm: ciphertext must be a Buffer", &ct) || !bytes_arg(env, argv[4], "keyhold_gcm: tag must be a Buffer", &tag) ||
      !bytes_arg(env, argv[5], "keyhold_gcm: out must be a Buffer", &out) || !offset_arg(env, argv[6], out.length, &at)) {
    return NULL;
  }
  if (iv.length != IV_BYTES || tag.length != TAG_BYTES) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: iv must be 12 bytes and tag 16");
    return NULL;
  }
  if (aad.length > INT_MAX || ct.length > INT_MAX || out.length - at < ct.length) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: the plaintext does not fit in out at that offset");
    return NULL;
  }
  unsigned char *dest = out.data + at;
  if (overlaps(&ct, dest, ct.length) && ct.data != dest) {
    napi_throw_range_error(env, NULL, "keyhold_gcm: ciphertext and output overlap");
    return NULL;
  }
  int n = 0;
  int m = 0;
  /*
   * The IV and AAD are consumed by begin() and the tag is handed over (SET_TAG copies it) before
   * the first plaintext byte is written, so none of them can be overwritten first even if they
   * lie inside the output.
   */
  bool ready = begin(gcm, &iv, &aad) && EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, tag.data) == 1 &&
               (ct.length == 0 || EVP_CipherUpdate(gcm->ctx, dest, &n, ct.data, (int)ct.length) == 1) && (size_t)n == ct.length;
  if (!ready) {
    OPENSSL_cleanse(dest, ct.length);
    napi_throw_error(env, NULL, "keyhold_gcm: OpenSSL failed to open");
    return NULL;
  }
  napi_value result;
  if (EVP_CipherFinal_ex(gcm->ctx, dest + n, &m) != 1 || m != 0) {
    /* Unverified plaintext never outlives this call. */
    OPENSSL_cleanse(dest, ct.length);
    if (failed(env, napi_get_null(env, &result))) return NULL;
    return result;
  }
  if (failed(env, napi_create_double(env, (double)(at + ct.length), &result))) return NULL;
  return result;
}

/* dispose(ctx): frees the key schedule now rather than at garbage collection. */
static napi_value dispose(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  Gcm *gcm = unwrap_context(env, argv[0]);
  if (gcm) release(gcm);
  return NULL;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dispose", NULL, dispose, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return NULL;
  napi_value version;
  if (napi_create_uint32(env, MODULE_VERSION, &version) != napi_ok || napi_set_named_property(env, exports, "version", version) != napi_ok) return NULL;
  return exports;
}
