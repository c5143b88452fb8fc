/* The PEM form of a CSR (RFC 7468 §7), decoded by hand: PEM_read_bio goes
 * through a BIO and OpenSSL's generic PEM reader for a few lines of base64.
 * Stricter than that reader where it is lenient for no CSR's sake: no text
 * or other PEM block before the request, no encapsulated headers. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "x509/csr_internal.h"
#include "x509/pem_util.h"

/* Both labels OpenSSL's PEM_read_bio_X509_REQ accepts; the second is the
 * Netscape-era form some tools still write. */
static const char *const csr_pem_labels[] = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"};

/* The line at *off: its start, and its length without the line end and
 * trailing blanks (as OpenSSL strips them); *off moves past the line end. */
static size_t csr_pem_line(const unsigned char *p, size_t len, size_t *off,
			   const unsigned char **line)
{
	size_t start = *off, end = start;
	while (end < len && p[end] != '\n')
		end++;
	*off = end < len ? end + 1 : end;
	*line = p + start;
	while (end > start && (p[end - 1] == '\r' || p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	return end - start;
}

/* Whether the line is "-----<word> <label>-----" for one of the labels;
 * the index of the label into *which. */
static bool csr_pem_boundary(const unsigned char *line, size_t n, const char *word, int *which)
{
	size_t w = strlen(word);
	if (n < 10 + w + 1 || memcmp(line, "-----", 5) != 0 || memcmp(line + 5, word, w) != 0 ||
	    line[5 + w] != ' ' || memcmp(line + n - 5, "-----", 5) != 0)
		return false;
	const unsigned char *label = line + 6 + w;
	size_t label_len = n - 11 - w;
	for (int i = 0; i < 2; i++) {
		if (strlen(csr_pem_labels[i]) == label_len &&
		    memcmp(label, csr_pem_labels[i], label_len) == 0) {
			*which = i;
			return true;
		}
	}
	return false;
}

/* Appends a body line to text; false when it is not base64. A blank line
 * is refused too: OpenSSL's reader takes what precedes one for RFC 1421
 * headers (and then refuses a CSR that has them). */
static bool csr_pem_body_line(const unsigned char *line, size_t n, char *text, size_t *text_len)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = line[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return false;
	}
	memcpy(text + *text_len, line, n);
	*text_len += n;
	return true;
}

/* The base64 of the block at *off into text, up to its END line. */
static bool csr_pem_body(const unsigned char *p, size_t len, size_t *off, int label, char *text,
			 size_t *text_len)
{
	const unsigned char *line;
	int end_label = -1;
	while (*off < len) {
		size_t n = csr_pem_line(p, len, off, &line);
		if (csr_pem_boundary(line, n, "END", &end_label))
			return end_label == label;
		if (!csr_pem_body_line(line, n, text, text_len))
			return false;
	}
	return false; /* no END line */
}

enum csr_pem_rc csr_pem_decode(const unsigned char *p, size_t len, unsigned char **der,
			       size_t *der_len)
{
	size_t off = x509_skip_space(p, len, 0), text_len = 0;
	const unsigned char *line;
	int label = -1;
	enum csr_pem_rc rc = CSR_PEM_BAD;
	*der = NULL;
	*der_len = 0;
	size_t n = csr_pem_line(p, len, &off, &line);
	char *text = malloc(len + 1);
	if (text == NULL || !csr_pem_boundary(line, n, "BEGIN", &label) ||
	    !csr_pem_body(p, len, &off, label, text, &text_len))
		goto out;
	/* Three octets per four characters: text_len bytes are enough room. */
	unsigned char *out = malloc(text_len + 1);
	long got = out != NULL ? b64_decode_strict(text, text_len, out, text_len + 1) : -1;
	if (got <= 0) {
		free(out);
		goto out;
	}
	*der = out;
	*der_len = (size_t)got;
	rc = x509_skip_space(p, len, off) == len ? CSR_PEM_OK : CSR_PEM_TRAILING;
	if (rc != CSR_PEM_OK) {
		free(out);
		*der = NULL;
		*der_len = 0;
	}
out:
	free(text);
	return rc;
}
