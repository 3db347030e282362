/* Mbed TLS 2.28 primitives as JerryScript natives: the global object `mbedtls`, for issue #11's provider over native
 * crypto (a device's firmware usually carries Mbed TLS already). Compiled into microtls-jerry with -DWITH_MBEDTLS by
 * build-jerry.sh when Debian's libmbedtls-dev is installed. Bytes in and out are Uint8Arrays; contexts live in the C
 * heap, outside JerryScript's, and are freed with the object that holds them. Errors: a TypeError for bad arguments;
 * verification failures are `false`, a failed AEAD open is `null`, an invalid ECDH peer key throws a RangeError.
 *
 *   mbedtls.random(n)                               n bytes from CTR-DRBG, seeded from the platform entropy
 *   mbedtls.hash(alg, data) / hmac(alg, key, data)   alg: "sha256" | "sha384" | "sha512"
 *   h = mbedtls.hashCreate(alg); mbedtls.hashUpdate(h, data); mbedtls.hashDigest(h)   (h stays usable: transcripts)
 *   mbedtls.hashClone(h)                            an independent copy of a running hash (HashState.clone)
 *   a = mbedtls.aeadCreate(alg, key)                alg: "aes-gcm" (16- or 32-byte key) | "chacha20-poly1305"
 *   mbedtls.aeadSeal(a, iv, aad, plaintext)         ciphertext || 16-byte tag
 *   mbedtls.aeadOpen(a, iv, aad, sealed)            plaintext, or null when the tag does not verify
 *   mbedtls.ecdhKeyPair(group) -> [priv, pub]       group: "x25519" | "secp256r1" | "secp384r1"; pub uncompressed
 *   mbedtls.ecdhShared(group, priv, pub)            the shared secret (x-coordinate)
 *   mbedtls.ecdsaVerify(curve, pub, hash, msg, der) curve: "P-256" | "P-384"; pub uncompressed; DER signature
 *   mbedtls.rsaPkcs1Verify(n, e, hash, msg, sig) / rsaPssVerify(n, e, hash, msg, sig, saltLength)
 *   mbedtls.rsaPkcs1Encrypt(n, e, data)             n, e: big-endian bytes
 */
#include <stdlib.h>
#include <string.h>

#include "jerryscript.h"
#include "mbedtls/chachapoly.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecdh.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/entropy.h"
#include "mbedtls/gcm.h"
#include "mbedtls/md.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/rsa.h"

void microtls_register_mbedtls (jerry_value_t global);

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

#define ARGS const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc
#define BAD(msg) jerry_throw_sz (JERRY_ERROR_TYPE, msg)

/* ---- argument helpers ---- */

static const uint8_t *
arg_bytes (const jerry_value_t args[], jerry_length_t argc, jerry_length_t i, size_t *len)
{
  *len = 0;
  if (i >= argc || !jerry_value_is_typedarray (args[i]))
    return NULL;
  jerry_size_t offset = 0, length = 0;
  jerry_value_t ab = jerry_typedarray_buffer (args[i], &offset, &length);
  uint8_t *data = jerry_arraybuffer_data (ab);
  jerry_value_free (ab);
  *len = length;
  /* A zero-length array may have no storage: hand out a valid pointer anyway. */
  static const uint8_t empty[1];
  return data == NULL ? empty : data + offset;
}

/* A short ASCII string argument into buf; false if it is not one. */
static bool
arg_name (const jerry_value_t args[], jerry_length_t argc, jerry_length_t i, char *buf, size_t size)
{
  if (i >= argc || !jerry_value_is_string (args[i]))
    return false;
  jerry_size_t n = jerry_string_to_buffer (args[i], JERRY_ENCODING_UTF8, (jerry_char_t *) buf, (jerry_size_t) size - 1);
  buf[n] = 0;
  return n > 0;
}

static jerry_value_t
bytes_value (const uint8_t *p, size_t n)
{
  jerry_value_t out = jerry_typedarray (JERRY_TYPEDARRAY_UINT8, (jerry_length_t) n);
  if (jerry_value_is_exception (out) || n == 0)
    return out;
  jerry_size_t offset = 0, length = 0;
  jerry_value_t ab = jerry_typedarray_buffer (out, &offset, &length);
  memcpy (jerry_arraybuffer_data (ab) + offset, p, n);
  jerry_value_free (ab);
  return out;
}

static const mbedtls_md_info_t *
md_of (const char *name)
{
  if (!strcmp (name, "sha256"))
    return mbedtls_md_info_from_type (MBEDTLS_MD_SHA256);
  if (!strcmp (name, "sha384"))
    return mbedtls_md_info_from_type (MBEDTLS_MD_SHA384);
  if (!strcmp (name, "sha512"))
    return mbedtls_md_info_from_type (MBEDTLS_MD_SHA512);
  return NULL;
}

static int
drbg_random (void *ctx, unsigned char *out, size_t n)
{
  return mbedtls_ctr_drbg_random (ctx, out, n);
}

/* ---- random, hashes, HMAC ---- */

static jerry_value_t
n_random (ARGS)
{
  (void) info;
  if (argc < 1 || !jerry_value_is_number (args[0]))
    return BAD ("random(n)");
  double n = jerry_value_as_number (args[0]);
  if (n < 0 || n > 65536)
    return BAD ("random(n): 0..65536");
  jerry_value_t out = jerry_typedarray (JERRY_TYPEDARRAY_UINT8, (jerry_length_t) n);
  size_t len;
  uint8_t *p = (uint8_t *) arg_bytes (&out, 1, 0, &len);
  if (len > 0 && mbedtls_ctr_drbg_random (&drbg, p, len) != 0)
  {
    jerry_value_free (out);
    return jerry_throw_sz (JERRY_ERROR_COMMON, "random: CTR-DRBG failed");
  }
  return out;
}

static jerry_value_t
n_hash (ARGS)
{
  (void) info;
  char alg[16];
  size_t len;
  const uint8_t *data = arg_bytes (args, argc, 1, &len);
  const mbedtls_md_info_t *md = arg_name (args, argc, 0, alg, sizeof (alg)) ? md_of (alg) : NULL;
  if (md == NULL || data == NULL)
    return BAD ("hash(alg, data)");
  uint8_t out[MBEDTLS_MD_MAX_SIZE];
  mbedtls_md (md, data, len, out);
  return bytes_value (out, mbedtls_md_get_size (md));
}

static jerry_value_t
n_hmac (ARGS)
{
  (void) info;
  char alg[16];
  size_t klen, len;
  const uint8_t *key = arg_bytes (args, argc, 1, &klen), *data = arg_bytes (args, argc, 2, &len);
  const mbedtls_md_info_t *md = arg_name (args, argc, 0, alg, sizeof (alg)) ? md_of (alg) : NULL;
  if (md == NULL || key == NULL || data == NULL)
    return BAD ("hmac(alg, key, data)");
  uint8_t out[MBEDTLS_MD_MAX_SIZE];
  mbedtls_md_hmac (md, key, klen, data, len, out);
  return bytes_value (out, mbedtls_md_get_size (md));
}

static void
free_md (void *p, jerry_object_native_info_t *info)
{
  (void) info;
  mbedtls_md_free (p);
  free (p);
}
static jerry_object_native_info_t md_info = { .free_cb = free_md };

static jerry_value_t
n_hash_create (ARGS)
{
  (void) info;
  char alg[16];
  const mbedtls_md_info_t *md = arg_name (args, argc, 0, alg, sizeof (alg)) ? md_of (alg) : NULL;
  if (md == NULL)
    return BAD ("hashCreate(alg)");
  mbedtls_md_context_t *ctx = malloc (sizeof (*ctx));
  if (ctx == NULL)
    return jerry_throw_sz (JERRY_ERROR_COMMON, "hashCreate: out of memory");
  mbedtls_md_init (ctx);
  if (mbedtls_md_setup (ctx, md, 0) != 0 || mbedtls_md_starts (ctx) != 0)
  {
    free_md (ctx, NULL);
    return jerry_throw_sz (JERRY_ERROR_COMMON, "hashCreate: setup failed");
  }
  jerry_value_t obj = jerry_object ();
  jerry_object_set_native_ptr (obj, &md_info, ctx);
  return obj;
}

static mbedtls_md_context_t *
md_ctx (const jerry_value_t args[], jerry_length_t argc)
{
  return argc > 0 && jerry_value_is_object (args[0]) ? jerry_object_get_native_ptr (args[0], &md_info) : NULL;
}

static jerry_value_t
n_hash_update (ARGS)
{
  (void) info;
  size_t len;
  mbedtls_md_context_t *ctx = md_ctx (args, argc);
  const uint8_t *data = arg_bytes (args, argc, 1, &len);
  if (ctx == NULL || data == NULL)
    return BAD ("hashUpdate(h, data)");
  mbedtls_md_update (ctx, data, len);
  return jerry_undefined ();
}

/* The digest so far; the running hash goes on (a TLS transcript needs intermediate digests). */
static jerry_value_t
n_hash_digest (ARGS)
{
  (void) info;
  mbedtls_md_context_t *ctx = md_ctx (args, argc);
  if (ctx == NULL)
    return BAD ("hashDigest(h)");
  mbedtls_md_context_t copy;
  mbedtls_md_init (&copy);
  uint8_t out[MBEDTLS_MD_MAX_SIZE];
  int rc = mbedtls_md_setup (&copy, ctx->md_info, 0);
  if (rc == 0)
    rc = mbedtls_md_clone (&copy, ctx);
  if (rc == 0)
    rc = mbedtls_md_finish (&copy, out);
  size_t n = mbedtls_md_get_size (ctx->md_info);
  mbedtls_md_free (&copy);
  return rc == 0 ? bytes_value (out, n) : jerry_throw_sz (JERRY_ERROR_COMMON, "hashDigest failed");
}

/* A second running hash with the same state: the provider's HashState.clone(). */
static jerry_value_t
n_hash_clone (ARGS)
{
  (void) info;
  mbedtls_md_context_t *src = md_ctx (args, argc);
  if (src == NULL)
    return BAD ("hashClone(h)");
  mbedtls_md_context_t *ctx = malloc (sizeof (*ctx));
  if (ctx == NULL)
    return jerry_throw_sz (JERRY_ERROR_COMMON, "hashClone: out of memory");
  mbedtls_md_init (ctx);
  if (mbedtls_md_setup (ctx, src->md_info, 0) != 0 || mbedtls_md_clone (ctx, src) != 0)
  {
    free_md (ctx, NULL);
    return jerry_throw_sz (JERRY_ERROR_COMMON, "hashClone failed");
  }
  jerry_value_t obj = jerry_object ();
  jerry_object_set_native_ptr (obj, &md_info, ctx);
  return obj;
}

/* ---- AEAD ---- */

typedef struct
{
  int chacha;
  union
  {
    mbedtls_gcm_context gcm;
    mbedtls_chachapoly_context chachapoly;
  } u;
} aead_t;

static void
free_aead (void *p, jerry_object_native_info_t *info)
{
  (void) info;
  aead_t *a = p;
  if (a->chacha)
    mbedtls_chachapoly_free (&a->u.chachapoly);
  else
    mbedtls_gcm_free (&a->u.gcm);
  free (a);
}
static jerry_object_native_info_t aead_info = { .free_cb = free_aead };

static jerry_value_t
n_aead_create (ARGS)
{
  (void) info;
  char alg[24];
  size_t klen;
  const uint8_t *key = arg_bytes (args, argc, 1, &klen);
  if (!arg_name (args, argc, 0, alg, sizeof (alg)) || key == NULL)
    return BAD ("aeadCreate(alg, key)");
  aead_t *a = calloc (1, sizeof (*a));
  if (a == NULL)
    return jerry_throw_sz (JERRY_ERROR_COMMON, "aeadCreate: out of memory");
  int rc = -1;
  if (!strcmp (alg, "chacha20-poly1305") && klen == 32)
  {
    a->chacha = 1;
    mbedtls_chachapoly_init (&a->u.chachapoly);
    rc = mbedtls_chachapoly_setkey (&a->u.chachapoly, key);
  }
  else if (!strcmp (alg, "aes-gcm") && (klen == 16 || klen == 32))
  {
    mbedtls_gcm_init (&a->u.gcm);
    rc = mbedtls_gcm_setkey (&a->u.gcm, MBEDTLS_CIPHER_ID_AES, key, (unsigned) klen * 8);
  }
  else
  {
    free (a);
    return BAD ("aeadCreate: aes-gcm with a 16- or 32-byte key, or chacha20-poly1305 with a 32-byte key");
  }
  if (rc != 0)
  {
    free_aead (a, NULL);
    return jerry_throw_sz (JERRY_ERROR_COMMON, "aeadCreate: key setup failed");
  }
  jerry_value_t obj = jerry_object ();
  jerry_object_set_native_ptr (obj, &aead_info, a);
  return obj;
}

/* seal = 1: args (a, iv, aad, plaintext) -> ciphertext||tag; seal = 0: (a, iv, aad, ciphertext||tag) -> plaintext | null */
static jerry_value_t
aead_run (const jerry_value_t args[], jerry_length_t argc, int seal)
{
  size_t ivlen, aadlen, len;
  aead_t *a = argc > 0 && jerry_value_is_object (args[0]) ? jerry_object_get_native_ptr (args[0], &aead_info) : NULL;
  const uint8_t *iv = arg_bytes (args, argc, 1, &ivlen), *aad = arg_bytes (args, argc, 2, &aadlen);
  const uint8_t *in = arg_bytes (args, argc, 3, &len);
  if (a == NULL || iv == NULL || aad == NULL || in == NULL || ivlen != 12)
    return BAD ("aeadSeal/aeadOpen(a, iv (12 bytes), aad, data)");
  if (!seal && len < 16)
    return jerry_null ();
  size_t outlen = seal ? len + 16 : len - 16;
  /* Typed arrays' storage is on JerryScript's heap; the work buffer is not. */
  uint8_t *out = malloc (outlen + 1);
  if (out == NULL)
    return jerry_throw_sz (JERRY_ERROR_COMMON, "aead: out of memory");
  int rc;
  if (a->chacha)
    rc = seal ? mbedtls_chachapoly_encrypt_and_tag (&a->u.chachapoly, len, iv, aad, aadlen, in, out, out + len)
              : mbedtls_chachapoly_auth_decrypt (&a->u.chachapoly, outlen, iv, aad, aadlen, in + outlen, in, out);
  else
    rc = seal ? mbedtls_gcm_crypt_and_tag (&a->u.gcm, MBEDTLS_GCM_ENCRYPT, len, iv, 12, aad, aadlen, in, out, 16, out + len)
              : mbedtls_gcm_auth_decrypt (&a->u.gcm, outlen, iv, 12, aad, aadlen, in + outlen, 16, in, out);
  jerry_value_t result = rc == 0 ? bytes_value (out, outlen) : seal ? jerry_throw_sz (JERRY_ERROR_COMMON, "aeadSeal failed") : jerry_null ();
  free (out);
  return result;
}

static jerry_value_t
n_aead_seal (ARGS)
{
  (void) info;
  return aead_run (args, argc, 1);
}

static jerry_value_t
n_aead_open (ARGS)
{
  (void) info;
  return aead_run (args, argc, 0);
}

/* ---- ECDH, ECDSA ---- */

static mbedtls_ecp_group_id
group_of (const char *name)
{
  if (!strcmp (name, "x25519"))
    return MBEDTLS_ECP_DP_CURVE25519;
  if (!strcmp (name, "secp256r1") || !strcmp (name, "P-256"))
    return MBEDTLS_ECP_DP_SECP256R1;
  if (!strcmp (name, "secp384r1") || !strcmp (name, "P-384"))
    return MBEDTLS_ECP_DP_SECP384R1;
  return MBEDTLS_ECP_DP_NONE;
}

static jerry_value_t
n_ecdh_key_pair (ARGS)
{
  (void) info;
  char name[16];
  mbedtls_ecp_group_id id = arg_name (args, argc, 0, name, sizeof (name)) ? group_of (name) : MBEDTLS_ECP_DP_NONE;
  if (id == MBEDTLS_ECP_DP_NONE)
    return BAD ("ecdhKeyPair(group)");
  mbedtls_ecp_group grp;
  mbedtls_mpi d;
  mbedtls_ecp_point q;
  mbedtls_ecp_group_init (&grp);
  mbedtls_mpi_init (&d);
  mbedtls_ecp_point_init (&q);
  uint8_t priv[48], pub[97];
  size_t plen = 0, dlen = 0;
  int rc = mbedtls_ecp_group_load (&grp, id);
  if (rc == 0)
    rc = mbedtls_ecdh_gen_public (&grp, &d, &q, drbg_random, &drbg);
  if (rc == 0)
    rc = mbedtls_ecp_point_write_binary (&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &plen, pub, sizeof (pub));
  if (rc == 0)
  {
    dlen = (grp.nbits + 7) / 8;
    rc = id == MBEDTLS_ECP_DP_CURVE25519 ? mbedtls_mpi_write_binary_le (&d, priv, dlen) : mbedtls_mpi_write_binary (&d, priv, dlen);
  }
  mbedtls_ecp_point_free (&q);
  mbedtls_mpi_free (&d);
  mbedtls_ecp_group_free (&grp);
  if (rc != 0)
    return jerry_throw_sz (JERRY_ERROR_COMMON, "ecdhKeyPair failed");
  jerry_value_t pair = jerry_array (2);
  jerry_value_t p = bytes_value (priv, dlen), u = bytes_value (pub, plen);
  jerry_value_free (jerry_object_set_index (pair, 0, p));
  jerry_value_free (jerry_object_set_index (pair, 1, u));
  jerry_value_free (p);
  jerry_value_free (u);
  mbedtls_platform_zeroize (priv, sizeof (priv));
  return pair;
}

static jerry_value_t
n_ecdh_shared (ARGS)
{
  (void) info;
  char name[16];
  size_t dlen, qlen;
  const uint8_t *priv = arg_bytes (args, argc, 1, &dlen), *pub = arg_bytes (args, argc, 2, &qlen);
  mbedtls_ecp_group_id id = arg_name (args, argc, 0, name, sizeof (name)) ? group_of (name) : MBEDTLS_ECP_DP_NONE;
  if (id == MBEDTLS_ECP_DP_NONE || priv == NULL || pub == NULL || dlen > 48)
    return BAD ("ecdhShared(group, priv, pub)");
  mbedtls_ecp_group grp;
  mbedtls_mpi d, z;
  mbedtls_ecp_point q;
  mbedtls_ecp_group_init (&grp);
  mbedtls_mpi_init (&d);
  mbedtls_mpi_init (&z);
  mbedtls_ecp_point_init (&q);
  uint8_t k[48], out[48];
  size_t zlen = 0;
  int rc = mbedtls_ecp_group_load (&grp, id);
  if (rc == 0)
  {
    zlen = (grp.pbits + 7) / 8;
    if (id == MBEDTLS_ECP_DP_CURVE25519)
    {
      /* RFC 7748 decodeScalar25519; Mbed TLS wants the scalar already clamped. */
      memcpy (k, priv, dlen);
      rc = dlen == 32 ? 0 : -1;
      k[0] &= 248;
      k[31] = (uint8_t) ((k[31] & 127) | 64);
      if (rc == 0)
        rc = mbedtls_mpi_read_binary_le (&d, k, 32);
    }
    else
      rc = mbedtls_mpi_read_binary (&d, priv, dlen);
  }
  if (rc == 0)
    rc = mbedtls_ecp_point_read_binary (&grp, &q, pub, qlen);
  int bad_peer = rc != 0;
  if (rc == 0 && mbedtls_ecp_check_pubkey (&grp, &q) != 0)
    rc = bad_peer = -1;
  if (rc == 0)
    rc = mbedtls_ecdh_compute_shared (&grp, &z, &q, &d, drbg_random, &drbg);
  if (rc == 0)
    rc = id == MBEDTLS_ECP_DP_CURVE25519 ? mbedtls_mpi_write_binary_le (&z, out, zlen) : mbedtls_mpi_write_binary (&z, out, zlen);
  mbedtls_ecp_point_free (&q);
  mbedtls_mpi_free (&z);
  mbedtls_mpi_free (&d);
  mbedtls_ecp_group_free (&grp);
  mbedtls_platform_zeroize (k, sizeof (k));
  if (rc != 0)
    return jerry_throw_sz (JERRY_ERROR_RANGE, bad_peer ? "ecdhShared: invalid peer key" : "ecdhShared failed");
  jerry_value_t result = bytes_value (out, zlen);
  mbedtls_platform_zeroize (out, sizeof (out));
  return result;
}

static jerry_value_t
n_ecdsa_verify (ARGS)
{
  (void) info;
  char curve[16], alg[16];
  size_t qlen, mlen, slen;
  const uint8_t *pub = arg_bytes (args, argc, 1, &qlen), *msg = arg_bytes (args, argc, 3, &mlen), *sig = arg_bytes (args, argc, 4, &slen);
  mbedtls_ecp_group_id id = arg_name (args, argc, 0, curve, sizeof (curve)) ? group_of (curve) : MBEDTLS_ECP_DP_NONE;
  const mbedtls_md_info_t *md = arg_name (args, argc, 2, alg, sizeof (alg)) ? md_of (alg) : NULL;
  if (id == MBEDTLS_ECP_DP_NONE || id == MBEDTLS_ECP_DP_CURVE25519 || md == NULL || pub == NULL || msg == NULL || sig == NULL)
    return BAD ("ecdsaVerify(curve, pub, hash, msg, der)");
  uint8_t digest[MBEDTLS_MD_MAX_SIZE];
  mbedtls_md (md, msg, mlen, digest);
  mbedtls_ecdsa_context ctx;
  mbedtls_ecdsa_init (&ctx);
  int rc = mbedtls_ecp_group_load (&ctx.grp, id);
  if (rc == 0)
    rc = mbedtls_ecp_point_read_binary (&ctx.grp, &ctx.Q, pub, qlen);
  if (rc == 0)
    rc = mbedtls_ecp_check_pubkey (&ctx.grp, &ctx.Q);
  if (rc == 0)
    rc = mbedtls_ecdsa_read_signature (&ctx, digest, mbedtls_md_get_size (md), sig, slen);
  mbedtls_ecdsa_free (&ctx);
  return jerry_boolean (rc == 0);
}

/* ---- RSA ---- */

static int
rsa_load (mbedtls_rsa_context *rsa, const jerry_value_t args[], jerry_length_t argc)
{
  size_t nlen, elen;
  const uint8_t *n = arg_bytes (args, argc, 0, &nlen), *e = arg_bytes (args, argc, 1, &elen);
  if (n == NULL || e == NULL)
    return -1;
  int rc = mbedtls_rsa_import_raw (rsa, n, nlen, NULL, 0, NULL, 0, NULL, 0, e, elen);
  if (rc == 0)
    rc = mbedtls_rsa_complete (rsa);
  if (rc == 0)
    rc = mbedtls_rsa_check_pubkey (rsa);
  return rc;
}

/* pss: 0 for PKCS#1 v1.5; args (n, e, hash, msg, sig[, saltLength]) */
static jerry_value_t
rsa_verify (const jerry_value_t args[], jerry_length_t argc, int pss)
{
  char alg[16];
  size_t mlen, slen;
  const uint8_t *msg = arg_bytes (args, argc, 3, &mlen), *sig = arg_bytes (args, argc, 4, &slen);
  const mbedtls_md_info_t *md = arg_name (args, argc, 2, alg, sizeof (alg)) ? md_of (alg) : NULL;
  if (md == NULL || msg == NULL || sig == NULL || (pss && (argc < 6 || !jerry_value_is_number (args[5]))))
    return BAD ("rsaPkcs1Verify(n, e, hash, msg, sig) / rsaPssVerify(n, e, hash, msg, sig, saltLength)");
  uint8_t digest[MBEDTLS_MD_MAX_SIZE];
  mbedtls_md (md, msg, mlen, digest);
  mbedtls_rsa_context rsa;
  mbedtls_rsa_init (&rsa, pss ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15, pss ? (int) mbedtls_md_get_type (md) : 0);
  int rc = rsa_load (&rsa, args, argc);
  if (rc == 0 && slen != mbedtls_rsa_get_len (&rsa))
    rc = -1;
  mbedtls_md_type_t type = mbedtls_md_get_type (md);
  unsigned hlen = mbedtls_md_get_size (md);
  if (rc == 0)
    rc = pss ? mbedtls_rsa_rsassa_pss_verify_ext (&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, type, hlen, digest, type,
                                                  (int) jerry_value_as_number (args[5]), sig)
             : mbedtls_rsa_rsassa_pkcs1_v15_verify (&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, type, hlen, digest, sig);
  mbedtls_rsa_free (&rsa);
  return jerry_boolean (rc == 0);
}

static jerry_value_t
n_rsa_pkcs1_verify (ARGS)
{
  (void) info;
  return rsa_verify (args, argc, 0);
}

static jerry_value_t
n_rsa_pss_verify (ARGS)
{
  (void) info;
  return rsa_verify (args, argc, 1);
}

static jerry_value_t
n_rsa_pkcs1_encrypt (ARGS)
{
  (void) info;
  size_t len;
  const uint8_t *data = arg_bytes (args, argc, 2, &len);
  mbedtls_rsa_context rsa;
  mbedtls_rsa_init (&rsa, MBEDTLS_RSA_PKCS_V15, 0);
  int rc = data == NULL ? -1 : rsa_load (&rsa, args, argc);
  size_t klen = mbedtls_rsa_get_len (&rsa);
  uint8_t *out = rc == 0 ? malloc (klen) : NULL;
  if (rc == 0)
    rc = out == NULL ? -1 : mbedtls_rsa_rsaes_pkcs1_v15_encrypt (&rsa, drbg_random, &drbg, MBEDTLS_RSA_PUBLIC, len, data, out);
  mbedtls_rsa_free (&rsa);
  jerry_value_t result = rc == 0 ? bytes_value (out, klen) : BAD ("rsaPkcs1Encrypt(n, e, data): bad key or data too long");
  free (out);
  return result;
}

/* ---- registration ---- */

void
microtls_register_mbedtls (jerry_value_t global)
{
  mbedtls_entropy_init (&entropy);
  mbedtls_ctr_drbg_init (&drbg);
  static const unsigned char personalization[] = "microtls-jerry";
  if (mbedtls_ctr_drbg_seed (&drbg, mbedtls_entropy_func, &entropy, personalization, sizeof (personalization) - 1) != 0)
    return; /* no `mbedtls` global: the scripts see that the natives are missing */

  static const struct
  {
    const char *name;
    jerry_external_handler_t fn;
  } natives[] = {
    { "random", n_random },
    { "hash", n_hash },
    { "hmac", n_hmac },
    { "hashCreate", n_hash_create },
    { "hashUpdate", n_hash_update },
    { "hashDigest", n_hash_digest },
    { "hashClone", n_hash_clone },
    { "aeadCreate", n_aead_create },
    { "aeadSeal", n_aead_seal },
    { "aeadOpen", n_aead_open },
    { "ecdhKeyPair", n_ecdh_key_pair },
    { "ecdhShared", n_ecdh_shared },
    { "ecdsaVerify", n_ecdsa_verify },
    { "rsaPkcs1Verify", n_rsa_pkcs1_verify },
    { "rsaPssVerify", n_rsa_pss_verify },
    { "rsaPkcs1Encrypt", n_rsa_pkcs1_encrypt },
  };
  jerry_value_t obj = jerry_object ();
  for (size_t i = 0; i < sizeof (natives) / sizeof (natives[0]); i++)
  {
    jerry_value_t fn = jerry_function_external (natives[i].fn);
    jerry_value_free (jerry_object_set_sz (obj, natives[i].name, fn));
    jerry_value_free (fn);
  }
  jerry_value_free (jerry_object_set_sz (global, "mbedtls", obj));
  jerry_value_free (obj);
}
