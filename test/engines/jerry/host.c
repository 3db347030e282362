/* microtls-jerry: a small JerryScript host in the shape of device firmware, for microtls's engine tests.
 *
 *   microtls-jerry [--no-stats] [--magic-strings FILE.list] (FILE.js | --snapshot FILE.snapshot)...
 *
 * Loads the scripts and snapshots in order, each as global code. A snapshot is memory-mapped and executed without
 * JERRY_SNAPSHOT_EXEC_COPY_DATA: its bytecode stays in the mapped file, as firmware keeps it in flash, and only
 * what must be writable (function headers, literal tables, objects) is allocated on the JerryScript heap.
 *
 * --magic-strings registers the strings of a `jerry-snapshot litdump --format list` file as external magic strings
 * (jerry_register_magic_strings): every literal of the snapshot then stays in that list instead of being copied to
 * the heap. Firmware compiles `litdump --format c`'s array into flash and registers it the same way.
 *
 * Natives the scripts see:
 *   print(...)                       writes its arguments to stderr (stdout carries the host protocol)
 *   microtlsHostCall(op, payload)    a blocking round trip to the parent process: the request
 *                                    "<len>:?<op><payload>," on stdout, the reply "<len>:/<data>," on stdin,
 *                                    returned as a Uint8Array (the protocol test/engines/host.ts serves)
 * More natives (e.g. Mbed TLS crypto for issue #11) come from natives-*.c files compiled in with -DWITH_MBEDTLS:
 * each provides a register function called below.
 *
 * Memory: for each host call "M<name>" (a named moment) and at exit, one line on stderr:
 *   microtls-jerry-mem <name> allocated=<bytes> peak=<bytes> heap=<bytes>
 * (jerry_heap_stats: the peak is since engine start). At exit the engine's own --mem-stats report follows
 * (peaks of bytecode, strings, objects and properties). Exit status: 0, 1 for an uncaught exception, 2 for usage
 * or I/O errors; JerryScript's fatal errors (e.g. out of memory, code 10) exit with their own code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jerryscript.h"

#ifdef WITH_MBEDTLS
void microtls_register_mbedtls (jerry_value_t global);
#endif

static int print_stats = 1;

/* ---- the pipe to the parent ---------------------------------------------------------------------------------- */

static int
write_all (int fd, const uint8_t *p, size_t n)
{
  while (n > 0)
  {
    ssize_t w = write (fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t) w;
  }
  return 0;
}

static int
read_all (int fd, uint8_t *p, size_t n)
{
  while (n > 0)
  {
    ssize_t r = read (fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t) r;
  }
  return 0;
}

/* The bytes of a Uint8Array (or any typed array / ArrayBuffer) argument; NULL with *len 0 if it is neither. */
static const uint8_t *
bytes_of (jerry_value_t v, jerry_size_t *len)
{
  *len = 0;
  if (jerry_value_is_typedarray (v))
  {
    jerry_size_t offset = 0, length = 0;
    jerry_value_t ab = jerry_typedarray_buffer (v, &offset, &length);
    const uint8_t *data = jerry_arraybuffer_data (ab);
    jerry_value_free (ab); /* the typed array keeps the buffer alive */
    *len = length;
    return data == NULL ? NULL : data + offset;
  }
  if (jerry_value_is_arraybuffer (v))
  {
    *len = jerry_arraybuffer_size (v);
    return jerry_arraybuffer_data (v);
  }
  return NULL;
}

static void
log_memory (const char *moment, size_t moment_len)
{
  jerry_heap_stats_t stats;
  memset (&stats, 0, sizeof (stats));
  if (!print_stats || !jerry_heap_stats (&stats))
    return;
  fprintf (stderr,
           "microtls-jerry-mem %.*s allocated=%zu peak=%zu heap=%zu\n",
           (int) moment_len,
           moment,
           stats.allocated_bytes,
           stats.peak_allocated_bytes,
           stats.size);
}

static jerry_value_t
host_call (const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc)
{
  (void) info;
  if (argc < 2 || !jerry_value_is_string (args[0]))
    return jerry_throw_sz (JERRY_ERROR_TYPE, "microtlsHostCall(op, payload): op must be a string");
  char op[8];
  jerry_size_t op_len = jerry_string_to_buffer (args[0], JERRY_ENCODING_UTF8, (jerry_char_t *) op, sizeof (op) - 1);
  jerry_size_t len;
  const uint8_t *payload = bytes_of (args[1], &len);
  if (op_len != 1 || (payload == NULL && len != 0))
    return jerry_throw_sz (JERRY_ERROR_TYPE, "microtlsHostCall(op, payload): one-letter op, Uint8Array payload");
  if (op[0] == 'M')
    log_memory ((const char *) payload, len);

  char head[24];
  int head_len = snprintf (head, sizeof (head), "%u:?%c", (unsigned) len + 2, op[0]);
  if (write_all (1, (const uint8_t *) head, (size_t) head_len) || write_all (1, payload, len)
      || write_all (1, (const uint8_t *) ",", 1))
    return jerry_throw_sz (JERRY_ERROR_COMMON, "host call: cannot write to the parent");

  size_t reply_len = 0;
  for (;;)
  {
    uint8_t c;
    if (read_all (0, &c, 1))
      return jerry_throw_sz (JERRY_ERROR_COMMON, "host call: the parent closed the pipe");
    if (c == ':')
      break;
    if (c < '0' || c > '9' || reply_len > (1u << 24))
      return jerry_throw_sz (JERRY_ERROR_COMMON, "host call: bad netstring length");
    reply_len = reply_len * 10 + (size_t) (c - '0');
  }
  uint8_t prefix;
  if (reply_len < 1 || read_all (0, &prefix, 1) || prefix != '/')
    return jerry_throw_sz (JERRY_ERROR_COMMON, "host call: the reply lacks its '/' prefix");
  /* The reply goes straight into the Uint8Array's own storage: no second copy on the heap. */
  jerry_value_t result = jerry_typedarray (JERRY_TYPEDARRAY_UINT8, (jerry_length_t) (reply_len - 1));
  if (jerry_value_is_exception (result))
    return result;
  jerry_size_t got_len;
  uint8_t *dst = (uint8_t *) bytes_of (result, &got_len);
  uint8_t comma;
  if ((reply_len > 1 && (dst == NULL || read_all (0, dst, reply_len - 1))) || read_all (0, &comma, 1) || comma != ',')
  {
    jerry_value_free (result);
    return jerry_throw_sz (JERRY_ERROR_COMMON, "host call: truncated reply");
  }
  return result;
}

/* ---- print ------------------------------------------------------------------------------------------------- */

static void
print_value (jerry_value_t v)
{
  jerry_value_t s = jerry_value_to_string (v);
  if (jerry_value_is_exception (s))
  {
    jerry_value_free (s);
    fputs ("<unprintable>", stderr);
    return;
  }
  jerry_size_t n = jerry_string_size (s, JERRY_ENCODING_UTF8);
  char *buf = malloc (n + 1);
  if (buf != NULL)
  {
    jerry_string_to_buffer (s, JERRY_ENCODING_UTF8, (jerry_char_t *) buf, n);
    fwrite (buf, 1, n, stderr);
    free (buf);
  }
  jerry_value_free (s);
}

static jerry_value_t
print_handler (const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc)
{
  (void) info;
  for (jerry_length_t i = 0; i < argc; i++)
  {
    if (i > 0)
      fputc (' ', stderr);
    print_value (args[i]);
  }
  fputc ('\n', stderr);
  return jerry_undefined ();
}

static void
set_native (jerry_value_t global, const char *name, jerry_external_handler_t handler)
{
  jerry_value_t fn = jerry_function_external (handler);
  jerry_value_free (jerry_object_set_sz (global, name, fn));
  jerry_value_free (fn);
}

/* ---- loading ----------------------------------------------------------------------------------------------- */

/* Prints an uncaught exception (its message and, for errors, its stack) and frees it. */
static void
report_exception (const char *where, jerry_value_t exception)
{
  jerry_value_t v = jerry_exception_value (exception, true);
  fprintf (stderr, "microtls-jerry: uncaught exception in %s: ", where);
  print_value (v);
  fputc ('\n', stderr);
  if (jerry_value_is_object (v))
  {
    jerry_value_t stack = jerry_object_get_sz (v, "stack");
    if (!jerry_value_is_undefined (stack) && !jerry_value_is_exception (stack))
    {
      print_value (stack);
      fputc ('\n', stderr);
    }
    jerry_value_free (stack);
  }
  jerry_value_free (v);
}

/* A whole file, mapped read-only (page-aligned, so also 4-byte aligned as snapshots must be). Never unmapped:
 * snapshot bytecode is used in place until exit. */
static const uint8_t *
map_file (const char *path, size_t *size)
{
  int fd = open (path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) != 0 || st.st_size == 0)
  {
    fprintf (stderr, "microtls-jerry: cannot read %s\n", path);
    return NULL;
  }
  void *p = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (p == MAP_FAILED)
  {
    fprintf (stderr, "microtls-jerry: cannot map %s\n", path);
    return NULL;
  }
  *size = (size_t) st.st_size;
  return p;
}

/* litdump's list format, "<bytes> <string>\n" per literal, registered in the file's order (litdump sorts them by
 * length, then bytes, as the engine's binary search expects; a static snapshot refers to them by that index, so it must
 * be generated with the same list). The strings and arrays stay allocated: the engine keeps pointers to them. */
static int
load_magic_strings (const char *path)
{
  size_t size;
  const uint8_t *text = map_file (path, &size);
  if (text == NULL)
    return 2;
  const jerry_char_t **items = malloc (sizeof (*items) * (size / 2 + 1));
  jerry_length_t *lengths = malloc (sizeof (*lengths) * (size / 2 + 1));
  if (items == NULL || lengths == NULL)
    return 2;
  uint32_t count = 0;
  size_t at = 0;
  while (at < size)
  {
    char *end = NULL;
    long n = strtol ((const char *) text + at, &end, 10);
    size_t start = (size_t) (end - (const char *) text) + 1;
    if (n <= 0 || start + (size_t) n > size)
      break;
    lengths[count] = (jerry_length_t) n;
    items[count++] = text + start; /* the mapping is never unmapped: it is the device's flash */
    at = start + (size_t) n + 1;
  }
  jerry_register_magic_strings (items, count, lengths);
  return 0;
}

/* 0: ran; 1: threw; 2: could not load. */
static int
run_script (const char *path)
{
  size_t size;
  const uint8_t *source = map_file (path, &size);
  if (source == NULL)
    return 2;
  jerry_parse_options_t options;
  memset (&options, 0, sizeof (options));
  options.options = JERRY_PARSE_HAS_SOURCE_NAME;
  options.source_name = jerry_string_sz (path);
  jerry_value_t code = jerry_parse (source, size, &options);
  jerry_value_free (options.source_name);
  /* The parser copied what it needs into bytecode on the heap: the source text can go. */
  munmap ((void *) source, size);
  if (jerry_value_is_exception (code))
  {
    report_exception (path, code);
    return 1;
  }
  jerry_value_t result = jerry_run (code);
  jerry_value_free (code);
  if (jerry_value_is_exception (result))
  {
    report_exception (path, result);
    return 1;
  }
  jerry_value_free (result);
  return 0;
}

static int
run_snapshot (const char *path)
{
  size_t size;
  const uint8_t *snapshot = map_file (path, &size);
  if (snapshot == NULL)
    return 2;
  jerry_value_t result =
    jerry_exec_snapshot ((const uint32_t *) snapshot, size, 0, JERRY_SNAPSHOT_EXEC_ALLOW_STATIC, NULL);
  if (jerry_value_is_exception (result))
  {
    report_exception (path, result);
    return 1;
  }
  jerry_value_free (result);
  return 0;
}

int
main (int argc, char **argv)
{
  int first = 1;
  if (argc > 1 && strcmp (argv[1], "--no-stats") == 0)
  {
    print_stats = 0;
    first = 2;
  }
  const char *magic = NULL;
  if (first + 1 < argc && strcmp (argv[first], "--magic-strings") == 0)
  {
    magic = argv[first + 1];
    first += 2;
  }
  if (first >= argc)
  {
    fprintf (stderr, "usage: %s [--no-stats] [--magic-strings FILE.list] (FILE.js | --snapshot FILE.snapshot)...\n", argv[0]);
    return 2;
  }

  jerry_init (print_stats ? JERRY_INIT_MEM_STATS : JERRY_INIT_EMPTY);
  /* Before any string exists: a string made earlier would not be recognised as the magic one. */
  if (magic != NULL && load_magic_strings (magic) != 0)
    return 2;
  /* The engine's own mem-stats report at cleanup is a debug-level log line. */
  if (print_stats)
    jerry_log_set_level (JERRY_LOG_LEVEL_DEBUG);

  jerry_value_t global = jerry_current_realm ();
  set_native (global, "print", print_handler);
  set_native (global, "microtlsHostCall", host_call);
#ifdef WITH_MBEDTLS
  microtls_register_mbedtls (global);
#endif
  jerry_value_free (global);

  int status = 0;
  for (int i = first; i < argc && status == 0; i++)
  {
    if (strcmp (argv[i], "--snapshot") == 0 && i + 1 < argc)
      status = run_snapshot (argv[++i]);
    else
      status = run_script (argv[i]);
  }

  log_memory ("exit", 4);
  jerry_cleanup ();
  return status;
}
