/*
 * Optional C accelerator for the HTTP/1.1 message-head parser.
 *
 * It tokenizes and validates one complete, well-formed message head and
 * builds the objects the pure-Python parser would build for it: the start
 * line's parts, the CIMultiDictProxy of the header fields and the raw header
 * tuple. Anything it does not accept -- an incomplete head, empty lines
 * before the start line, a grammar error, a limit exceeded, a status code
 * out of range -- makes it return None, and the caller then runs the
 * pure-Python code on the same bytes. That code buffers partial heads and
 * names every error, so the accelerator never has to, and the events are the
 * same with or without it (tests/test_http_parser_accel.py compares them).
 *
 * The grammar is the one of aiohttp/_http_parser_grammar.py:
 *   request-line = token SP 1*VCHAR SP "HTTP/1." ("0" / "1") CRLF
 *   status-line  = "HTTP/1." ("0" / "1") SP 3DIGIT [SP *field-char] CRLF
 *   field-line   = token ":" *(SP / HTAB) [VCHAR *field-char] CRLF
 * with VCHAR including obs-text (0x80-0xFF) and field-char = HTAB / SP /
 * VCHAR. Trailing whitespace of a field value is not part of the value.
 *
 * It also serializes a head (serialize_head), declining to the pure code when
 * a field is not a str or holds a CR or LF, so that code raises the error.
 *
 * Python side: aiohttp/_http_parser_accel.py and aiohttp/http_writer.py.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Bits of the "fields" summary returned with a head: which of the fields
 * that change the message semantics were seen. Zero means "exactly one Host
 * field and none of the others", the plain case. */
#define SEEN_NOT_ONE_HOST 1
#define SEEN_CONNECTION 2
#define SEEN_CONTENT_LENGTH 4
#define SEEN_TRANSFER_ENCODING 8
#define SEEN_CONTENT_ENCODING 16
#define SEEN_UPGRADE 32

static unsigned char is_tchar[256];
static unsigned char is_vchar[256];
static unsigned char is_field_char[256];

/* Set once by setup(): the objects the heads are built from. */
static PyObject *known_names;   /* dict: canonical name bytes -> istr */
static PyObject *methods;       /* dict: method bytes -> str */
static PyObject *version10;     /* HttpVersion(1, 0) */
static PyObject *version11;     /* HttpVersion(1, 1) */
static PyObject *multidict_type; /* CIMultiDict */
static PyObject *proxy_type;    /* CIMultiDictProxy */

static void
init_tables(void)
{
    const char *specials = "!#$%&'*+-.^_`|~";
    int c;
    for (c = '0'; c <= '9'; c++) is_tchar[c] = 1;
    for (c = 'A'; c <= 'Z'; c++) is_tchar[c] = 1;
    for (c = 'a'; c <= 'z'; c++) is_tchar[c] = 1;
    for (; *specials; specials++) is_tchar[(unsigned char)*specials] = 1;
    for (c = 0x21; c <= 0xff; c++) is_vchar[c] = (c != 0x7f);
    for (c = 0x20; c <= 0xff; c++) is_field_char[c] = (c != 0x7f);
    is_field_char['\t'] = 1;
}

/* Case-insensitive comparison of a token with a lower-case literal of the
 * same length. Safe for tokens only: no tchar other than an upper-case
 * letter becomes a lower-case letter or '-' when 0x20 is or-ed in. */
static int
token_is(const unsigned char *p, const char *lower, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        if ((p[i] | 0x20) != (unsigned char)lower[i]) return 0;
    }
    return 1;
}

static int
semantic_bit(const unsigned char *name, Py_ssize_t n)
{
    switch (n) {
    case 7: return token_is(name, "upgrade", 7) ? SEEN_UPGRADE : 0;
    case 10: return token_is(name, "connection", 10) ? SEEN_CONNECTION : 0;
    case 14:
        return token_is(name, "content-length", 14) ? SEEN_CONTENT_LENGTH : 0;
    case 16:
        return token_is(name, "content-encoding", 16) ? SEEN_CONTENT_ENCODING : 0;
    case 17:
        return token_is(name, "transfer-encoding", 17) ? SEEN_TRANSFER_ENCODING
                                                       : 0;
    default: return 0;
    }
}

/* Appends (name, value) to raw and (key, text) to pairs for one field. */
static int
add_field(PyObject *pairs, PyObject *raw, const unsigned char *buf,
          Py_ssize_t name_start, Py_ssize_t name_end, Py_ssize_t value_start,
          Py_ssize_t value_end)
{
    PyObject *name = NULL, *value = NULL, *key = NULL, *text = NULL;
    PyObject *item = NULL;
    int rc = -1;

    name = PyBytes_FromStringAndSize((const char *)buf + name_start,
                                     name_end - name_start);
    if (name == NULL) goto done;
    value = PyBytes_FromStringAndSize((const char *)buf + value_start,
                                      value_end - value_start);
    if (value == NULL) goto done;
    item = PyTuple_Pack(2, name, value);
    if (item == NULL || PyList_Append(raw, item) < 0) goto done;
    Py_CLEAR(item);

    key = PyDict_GetItemWithError(known_names, name);
    if (key != NULL) {
        Py_INCREF(key);
    } else if (PyErr_Occurred()) {
        goto done;
    } else {
        key = PyUnicode_DecodeLatin1((const char *)buf + name_start,
                                     name_end - name_start, NULL);
        if (key == NULL) goto done;
    }
    text = PyUnicode_DecodeUTF8((const char *)buf + value_start,
                                value_end - value_start, "surrogateescape");
    if (text == NULL) goto done;
    item = PyTuple_Pack(2, key, text);
    if (item == NULL || PyList_Append(pairs, item) < 0) goto done;
    rc = 0;
done:
    Py_XDECREF(name);
    Py_XDECREF(value);
    Py_XDECREF(key);
    Py_XDECREF(text);
    Py_XDECREF(item);
    return rc;
}

/* Parses the field lines from pos up to the empty line that ends the head.
 *
 * Returns 1 and sets *headers, *raw_out, *seen and *end (the offset of the
 * CRLF CRLF that ends the head) on success; 0 when the fields are not
 * accepted (the pure parser takes over); -1 with an exception set. */
static int
parse_fields(const unsigned char *buf, Py_ssize_t n, Py_ssize_t pos,
             Py_ssize_t max_field_size, Py_ssize_t max_headers,
             PyObject **headers, PyObject **raw_out, int *seen,
             Py_ssize_t *end)
{
    PyObject *pairs = NULL, *raw = NULL, *dict = NULL;
    Py_ssize_t count = 0, hosts = 0;
    int bits = 0, rc = -1;

    pairs = PyList_New(0);
    raw = PyList_New(0);
    if (pairs == NULL || raw == NULL) goto done;

    /* The bytes object has a NUL after its last byte, and NUL is in none of
     * the tables, so every scan below stops at the end of the data. */
    while (pos + 1 < n && !(buf[pos] == '\r' && buf[pos + 1] == '\n')) {
        Py_ssize_t line = pos, name_end, value_start, value_end;
        while (is_tchar[buf[pos]]) pos++;
        if (pos == line || buf[pos] != ':') { rc = 0; goto done; }
        name_end = pos++;
        while (buf[pos] == ' ' || buf[pos] == '\t') pos++;
        value_start = pos;
        if (buf[pos] != '\r') {
            if (!is_vchar[buf[pos]]) { rc = 0; goto done; }
            while (is_field_char[buf[pos]]) pos++;
        }
        if (pos + 1 >= n || buf[pos] != '\r' || buf[pos + 1] != '\n'
            || pos - line > max_field_size || ++count > max_headers) {
            rc = 0;
            goto done;
        }
        value_end = pos;
        pos += 2;
        while (value_end > value_start
               && (buf[value_end - 1] == ' ' || buf[value_end - 1] == '\t')) {
            value_end--;
        }
        if (name_end - line == 4 && token_is(buf + line, "host", 4)) {
            hosts++;
        } else {
            bits |= semantic_bit(buf + line, name_end - line);
        }
        if (add_field(pairs, raw, buf, line, name_end, value_start, value_end)
            < 0) {
            goto done;
        }
    }
    if (count == 0 || pos + 1 >= n) {
        rc = 0; /* no fields (rare), or the head is incomplete */
        goto done;
    }
    dict = PyObject_CallOneArg(multidict_type, pairs);
    if (dict == NULL) goto done;
    *headers = PyObject_CallOneArg(proxy_type, dict);
    if (*headers == NULL) goto done;
    *raw_out = PyList_AsTuple(raw);
    if (*raw_out == NULL) {
        Py_CLEAR(*headers);
        goto done;
    }
    *seen = bits | (hosts == 1 ? 0 : SEEN_NOT_ONE_HOST);
    *end = pos - 2;
    rc = 1;
done:
    Py_XDECREF(pairs);
    Py_XDECREF(raw);
    Py_XDECREF(dict);
    return rc;
}

static int
parse_limits(PyObject *const *args, Py_ssize_t nargs, const char *fname,
             Py_ssize_t *pos, Py_ssize_t *limits)
{
    Py_ssize_t i;
    if (nargs != 5 || !PyBytes_CheckExact(args[0])) {
        PyErr_Format(PyExc_TypeError,
                     "%s(data: bytes, pos, max_line_size, max_field_size, "
                     "max_headers) takes 5 arguments",
                     fname);
        return -1;
    }
    *pos = PyLong_AsSsize_t(args[1]);
    if (*pos == -1 && PyErr_Occurred()) return -1;
    for (i = 0; i < 3; i++) {
        limits[i] = PyLong_AsSsize_t(args[2 + i]);
        if (limits[i] == -1 && PyErr_Occurred()) return -1;
    }
    return 0;
}

/* The method as a str: the setup() dict's own object for a known method
 * (compared in place, no bytes object made to look it up), else decoded. */
static PyObject *
method_name(const unsigned char *start, Py_ssize_t len)
{
    Py_ssize_t i = 0;
    PyObject *key, *value;
    while (PyDict_Next(methods, &i, &key, &value)) {
        if (PyBytes_GET_SIZE(key) == len
            && memcmp(PyBytes_AS_STRING(key), start, len) == 0) {
            Py_INCREF(value);
            return value;
        }
    }
    return PyUnicode_DecodeASCII((const char *)start, len, NULL);
}

static PyObject *
parse_request_head(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const unsigned char *buf;
    Py_ssize_t n, pos, limits[3], p, target_start, target_end, end;
    PyObject *method = NULL, *target = NULL, *headers = NULL, *raw = NULL;
    PyObject *version, *value, *result = NULL;
    int seen, rc;

    if (parse_limits(args, nargs, "parse_request_head", &pos, limits) < 0) {
        return NULL;
    }
    buf = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    n = PyBytes_GET_SIZE(args[0]);
    if (pos < 0 || pos >= n) Py_RETURN_NONE;

    p = pos;
    while (is_tchar[buf[p]]) p++;
    if (p == pos || buf[p] != ' ') Py_RETURN_NONE;
    target_start = ++p;
    while (is_vchar[buf[p]]) p++;
    if (p == target_start || buf[p] != ' ') Py_RETURN_NONE;
    target_end = p++;
    if (n - p < 10 || memcmp(buf + p, "HTTP/1.", 7) != 0
        || (buf[p + 7] != '0' && buf[p + 7] != '1') || buf[p + 8] != '\r'
        || buf[p + 9] != '\n' || p + 8 - pos > limits[0]) {
        Py_RETURN_NONE;
    }
    version = buf[p + 7] == '1' ? version11 : version10;

    rc = parse_fields(buf, n, p + 10, limits[1], limits[2], &headers, &raw,
                      &seen, &end);
    if (rc <= 0) {
        if (rc < 0) return NULL;
        Py_RETURN_NONE;
    }
    method = method_name(buf + pos, target_start - 1 - pos);
    if (method == NULL) goto done;
    target = PyUnicode_DecodeUTF8((const char *)buf + target_start,
                                  target_end - target_start, "surrogateescape");
    if (target == NULL) goto done;
    /* (method, target, version, headers, raw, end, plain): the tuple the
     * Python parser's _request_head() takes. "plain": no field that changes
     * the semantics other than Content-Length. */
    result = PyTuple_New(7);
    if (result == NULL) goto done;
    PyTuple_SET_ITEM(result, 0, method);
    PyTuple_SET_ITEM(result, 1, target);
    Py_INCREF(version);
    PyTuple_SET_ITEM(result, 2, version);
    PyTuple_SET_ITEM(result, 3, headers);
    PyTuple_SET_ITEM(result, 4, raw);
    method = target = headers = raw = NULL; /* the tuple holds them now */
    value = PyLong_FromSsize_t(end);
    if (value == NULL) {
        Py_CLEAR(result);
        goto done;
    }
    PyTuple_SET_ITEM(result, 5, value);
    value = (seen & ~SEEN_CONTENT_LENGTH) ? Py_False : Py_True;
    Py_INCREF(value);
    PyTuple_SET_ITEM(result, 6, value);
done:
    Py_XDECREF(method);
    Py_XDECREF(target);
    Py_XDECREF(headers);
    Py_XDECREF(raw);
    return result;
}

static PyObject *
parse_response_head(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const unsigned char *buf;
    Py_ssize_t n, pos, limits[3], p, reason_start, end;
    PyObject *reason = NULL, *headers = NULL, *raw = NULL, *version;
    PyObject *result = NULL;
    int code, seen, rc;

    if (parse_limits(args, nargs, "parse_response_head", &pos, limits) < 0) {
        return NULL;
    }
    buf = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    n = PyBytes_GET_SIZE(args[0]);
    if (pos < 0 || n - pos < 14 || memcmp(buf + pos, "HTTP/1.", 7) != 0
        || (buf[pos + 7] != '0' && buf[pos + 7] != '1') || buf[pos + 8] != ' ') {
        Py_RETURN_NONE;
    }
    version = buf[pos + 7] == '1' ? version11 : version10;
    p = pos + 9;
    if (buf[p] < '1' || buf[p] > '5' || buf[p + 1] < '0' || buf[p + 1] > '9'
        || buf[p + 2] < '0' || buf[p + 2] > '9') {
        Py_RETURN_NONE; /* not 100-599: the pure parser names the error */
    }
    code = (buf[p] - '0') * 100 + (buf[p + 1] - '0') * 10 + (buf[p + 2] - '0');
    p += 3;
    reason_start = p;
    if (buf[p] == ' ') {
        reason_start = ++p;
        while (is_field_char[buf[p]]) p++;
    }
    if (p + 1 >= n || buf[p] != '\r' || buf[p + 1] != '\n'
        || p - pos > limits[0]) {
        Py_RETURN_NONE;
    }
    rc = parse_fields(buf, n, p + 2, limits[1], limits[2], &headers, &raw,
                      &seen, &end);
    if (rc <= 0) {
        if (rc < 0) return NULL;
        Py_RETURN_NONE;
    }
    reason = PyUnicode_DecodeUTF8((const char *)buf + reason_start,
                                  p - reason_start, "surrogateescape");
    if (reason == NULL) goto done;
    result = Py_BuildValue("(OiOOOin)", version, code, reason, headers, raw,
                           seen, end);
done:
    Py_XDECREF(reason);
    Py_XDECREF(headers);
    Py_XDECREF(raw);
    return result;
}

/* A growing output buffer for serialize_head(). */
typedef struct {
    char *data;
    Py_ssize_t size, used;
} Buffer;

static int
buffer_add(Buffer *b, const char *data, Py_ssize_t len)
{
    if (b->used + len > b->size) {
        Py_ssize_t size = (b->used + len) * 2;
        char *grown = PyMem_Realloc(b->data, size);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = grown;
        b->size = size;
    }
    memcpy(b->data + b->used, data, len);
    b->used += len;
    return 0;
}

/* Appends a str as UTF-8 (surrogateescape). Returns 1 when it holds a CR or
 * LF, or is not a str (nothing appended), 0 when appended, -1 on error. */
static int
buffer_add_text(Buffer *b, PyObject *text)
{
    Py_ssize_t len;
    int rc;
    PyObject *encoded;
    if (!PyUnicode_Check(text)) return 1;
    if (PyUnicode_IS_ASCII(text)) {
        const char *data = (const char *)PyUnicode_DATA(text);
        len = PyUnicode_GET_LENGTH(text);
        if (memchr(data, '\r', len) != NULL || memchr(data, '\n', len) != NULL) {
            return 1;
        }
        return buffer_add(b, data, len);
    }
    len = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_FindChar(text, '\r', 0, len, 1) != -1
        || PyUnicode_FindChar(text, '\n', 0, len, 1) != -1) {
        return PyErr_Occurred() ? -1 : 1;
    }
    encoded = PyUnicode_AsEncodedString(text, "utf-8", "surrogateescape");
    if (encoded == NULL) return -1;
    rc = buffer_add(b, PyBytes_AS_STRING(encoded), PyBytes_GET_SIZE(encoded));
    Py_DECREF(encoded);
    return rc;
}

/* serialize_head(status_line, items) -> bytes, or None when a name or value
 * is not a str or holds a CR or LF: the pure code then names the problem. */
static PyObject *
serialize_head(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Buffer b = {NULL, 0, 0};
    PyObject *iter = NULL, *item = NULL, *result = NULL;
    int rc;

    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "serialize_head(status_line, items) takes 2 arguments");
        return NULL;
    }
    b.data = PyMem_Malloc(512);
    if (b.data == NULL) return PyErr_NoMemory();
    b.size = 512;
    rc = buffer_add_text(&b, args[0]);
    if (rc != 0 || buffer_add(&b, "\r\n", 2) < 0) goto done;
    iter = PyObject_GetIter(args[1]);
    if (iter == NULL) goto done;
    while ((item = PyIter_Next(iter)) != NULL) {
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            rc = 1;
            goto done;
        }
        rc = buffer_add_text(&b, PyTuple_GET_ITEM(item, 0));
        if (rc != 0 || buffer_add(&b, ": ", 2) < 0) goto done;
        rc = buffer_add_text(&b, PyTuple_GET_ITEM(item, 1));
        if (rc != 0 || buffer_add(&b, "\r\n", 2) < 0) goto done;
        Py_CLEAR(item);
    }
    if (PyErr_Occurred() || buffer_add(&b, "\r\n", 2) < 0) goto done;
    result = PyBytes_FromStringAndSize(b.data, b.used);
done:
    if (rc == 1 && !PyErr_Occurred()) {
        result = Py_None;
        Py_INCREF(result);
    }
    Py_XDECREF(item);
    Py_XDECREF(iter);
    PyMem_Free(b.data);
    return result;
}

static PyObject *
setup(PyObject *module, PyObject *args)
{
    PyObject *names, *meths, *v10, *v11, *md, *proxy;
    if (!PyArg_ParseTuple(args, "O!O!OOOO:setup", &PyDict_Type, &names,
                          &PyDict_Type, &meths, &v10, &v11, &md, &proxy)) {
        return NULL;
    }
#define KEEP(var, value)      \
    do {                      \
        Py_INCREF(value);     \
        Py_XSETREF(var, value); \
    } while (0)
    KEEP(known_names, names);
    KEEP(methods, meths);
    KEEP(version10, v10);
    KEEP(version11, v11);
    KEEP(multidict_type, md);
    KEEP(proxy_type, proxy);
#undef KEEP
    Py_RETURN_NONE;
}

static PyObject *
not_set_up(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyErr_SetString(PyExc_RuntimeError,
                    "aiohttp._http_head: call setup() before parsing");
    return NULL;
}

static PyObject *
request_head_entry(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (known_names == NULL) return not_set_up(module, args, nargs);
    return parse_request_head(module, args, nargs);
}

static PyObject *
response_head_entry(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (known_names == NULL) return not_set_up(module, args, nargs);
    return parse_response_head(module, args, nargs);
}

static PyMethodDef head_methods[] = {
    {"setup", setup, METH_VARARGS,
     "setup(known_names, methods, version10, version11, CIMultiDict, "
     "CIMultiDictProxy): the objects heads are built from."},
    {"parse_request_head", (PyCFunction)(void (*)(void))request_head_entry,
     METH_FASTCALL,
     "parse_request_head(data, pos, max_line_size, max_field_size, "
     "max_headers) -> (method, target, version, headers, raw_headers, seen, "
     "end) or None when the pure parser must handle the input."},
    {"parse_response_head", (PyCFunction)(void (*)(void))response_head_entry,
     METH_FASTCALL,
     "parse_response_head(data, pos, max_line_size, max_field_size, "
     "max_headers) -> (version, code, reason, headers, raw_headers, seen, "
     "end) or None when the pure parser must handle the input."},
    {"serialize_head", (PyCFunction)(void (*)(void))serialize_head,
     METH_FASTCALL,
     "serialize_head(status_line, items) -> the head as bytes, or None when a "
     "name or value is not a str or holds a CR or LF."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef head_module = {
    PyModuleDef_HEAD_INIT, "aiohttp._http_head",
    "C accelerator for HTTP/1.1 message heads (optional).", -1, head_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__http_head(void)
{
    PyObject *module = PyModule_Create(&head_module);
    if (module == NULL) return NULL;
    init_tables();
    if (PyModule_AddIntConstant(module, "SEEN_NOT_ONE_HOST", SEEN_NOT_ONE_HOST)
            < 0
        || PyModule_AddIntConstant(module, "SEEN_CONNECTION", SEEN_CONNECTION) < 0
        || PyModule_AddIntConstant(module, "SEEN_CONTENT_LENGTH",
                                   SEEN_CONTENT_LENGTH) < 0
        || PyModule_AddIntConstant(module, "SEEN_TRANSFER_ENCODING",
                                   SEEN_TRANSFER_ENCODING) < 0
        || PyModule_AddIntConstant(module, "SEEN_CONTENT_ENCODING",
                                   SEEN_CONTENT_ENCODING) < 0
        || PyModule_AddIntConstant(module, "SEEN_UPGRADE", SEEN_UPGRADE) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
