/* A target's specification: what the API accepts, what the store keeps (the
 * normalised JSON) and what a deployment reads back, checked by one parser so
 * that a stored target is never trusted more than a new one (a folder the
 * operator stopped allowing is refused at the next deployment too).
 *   {"Kind": "nginx" | "haproxy" | "files",
 *    "Files": {"Certificate"|"Chain"|"FullChain"|"Key"|"Combined": "/abs/path"},
 *    "Owner": "user", "Group": "group", "Mode": "0644", "KeyMode": "0600",
 *    "Reload": {"Command": ["nginx", "-s", "reload"], "Shell": false,
 *               "TimeoutSeconds": 30},
 *    "Check": {"Address": "127.0.0.1:443", "ServerName": "www.example.com"}} */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/jv.h"
#include "deploy/deploy.h"

static const char *const deploy_kinds[] = {"nginx", "haproxy", "files", NULL};
static const char *const deploy_files[] = {"Certificate", "Chain", "FullChain", "Key", "Combined"};

const char *deploy_file_name(enum deploy_file f)
{
	return deploy_files[f];
}

const char *deploy_kind_name(enum deploy_kind k)
{
	return deploy_kinds[k];
}

void deploy_spec_clear(struct deploy_spec *s)
{
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		free(s->paths[i]);
	for (size_t i = 0; s->reload != NULL && i < s->n_reload; i++)
		free(s->reload[i]);
	free(s->reload);
	memset(s, 0, sizeof(*s));
}

static int deploy_fail(struct cm_err *err, const char *member, const char *why)
{
	return cm_fail(err, CM_ERR_VALIDATION,
		       "1 validation error detected: Value at '%s' failed to satisfy constraint: "
		       "Member %s",
		       member, why);
}

/* Which files each kind has: required ones, and the ones it may have. */
static int deploy_files_fit(const struct deploy_spec *s, struct cm_err *err)
{
	bool has[DEPLOY_FILE__COUNT];
	int count = 0;
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		count += has[i] = s->paths[i] != NULL;
	switch (s->kind) {
	case DEPLOY_NGINX:
		if (!has[DEPLOY_FILE_FULLCHAIN] || !has[DEPLOY_FILE_KEY] || count != 2)
			return deploy_fail(err, "Files",
					   "must have exactly FullChain (ssl_certificate) and Key "
					   "(ssl_certificate_key) for an nginx target");
		break;
	case DEPLOY_HAPROXY:
		if (!has[DEPLOY_FILE_COMBINED] || count != 1)
			return deploy_fail(
			    err, "Files",
			    "must have exactly Combined (certificate, chain and key) "
			    "for a haproxy target");
		break;
	case DEPLOY_FILES:
		if (count == 0)
			return deploy_fail(err, "Files", "must name at least one file");
		break;
	}
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		for (int j = i + 1; j < DEPLOY_FILE__COUNT; j++)
			if (has[i] && has[j] && strcmp(s->paths[i], s->paths[j]) == 0)
				return deploy_fail(err, "Files",
						   "must name a different path for each file");
	return 0;
}

static int deploy_parse_files(const struct deploy_cfg *cfg, json_t *in, struct deploy_spec *s,
			      struct cm_err *err)
{
	json_t *files = NULL;
	char member[64];
	if (jv_object(in, NULL, "Files", true, &files, err) < 0)
		return -1;
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++) {
		const char *path = NULL;
		if (jv_string(files, "Files", deploy_files[i], false, 1, DEPLOY_PATH_MAX - 1, &path,
			      err) < 0)
			return -1;
		if (path == NULL)
			continue;
		snprintf(member, sizeof(member), "Files.%s", deploy_files[i]);
		if (deploy_path_check(cfg, path, member, err) < 0)
			return -1;
		if ((s->paths[i] = strdup(path)) == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return deploy_files_fit(s, err);
}

/* "0644" or "644": octal, at most 0777 (no setuid, setgid or sticky bit). */
static int deploy_parse_mode(json_t *in, const char *name, unsigned dflt, unsigned *out,
			     struct cm_err *err)
{
	const char *s = NULL;
	*out = dflt;
	if (jv_string(in, NULL, name, false, 1, 4, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	char *end;
	unsigned long v = strtoul(s, &end, 8);
	if (*end != '\0' || strspn(s, "01234567") != strlen(s) || v > 0777)
		return deploy_fail(err, name, "must be an octal mode from 0000 to 0777, like 0640");
	*out = (unsigned)v;
	return 0;
}

/* A user or group name (or number) that exists on this host. */
static int deploy_parse_owner(json_t *in, const char *name, bool group, char *out, size_t size,
			      struct cm_err *err)
{
	const char *s = NULL;
	if (jv_string(in, NULL, name, false, 1, 32, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	char buf[4096];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	bool numeric = strspn(s, "0123456789") == strlen(s);
	if (!numeric &&
	    (group ? getgrnam_r(s, &gr, buf, sizeof(buf), &grp)
		   : getpwnam_r(s, &pw, buf, sizeof(buf), &pwp)) == 0 &&
	    grp == NULL && pwp == NULL)
		return deploy_fail(err, name,
				   group ? "must be a group of this host"
					 : "must be a user of this host");
	snprintf(out, size, "%s", s);
	return 0;
}

static int deploy_parse_reload(const struct deploy_cfg *cfg, json_t *in, struct deploy_spec *s,
			       struct cm_err *err)
{
	json_t *reload = NULL, *cmd = NULL;
	long long timeout = DEPLOY_RELOAD_TIMEOUT;
	s->reload_timeout = DEPLOY_RELOAD_TIMEOUT;
	if (jv_object(in, NULL, "Reload", false, &reload, err) < 0 || reload == NULL)
		return 0;
	if (jv_array(reload, "Reload", "Command", true, 1, DEPLOY_RELOAD_MAX_ARGS, &cmd, err) < 0 ||
	    jv_bool(reload, "Reload", "Shell", false, &s->shell, NULL, err) < 0 ||
	    jv_int(reload, "Reload", "TimeoutSeconds", false, 1, DEPLOY_RELOAD_TIMEOUT_MAX,
		   &timeout, NULL, err) < 0)
		return -1;
	s->reload_timeout = (int)timeout;
	if (s->shell && !cfg->allow_shell)
		return deploy_fail(
		    err, "Reload.Shell",
		    "must be false: this server runs reload commands without a shell "
		    "(start it with --deploy-allow-shell to allow one)");
	if (s->shell && json_array_size(cmd) != 1)
		return deploy_fail(err, "Reload.Command",
				   "must be one command line when Shell is true");
	s->n_reload = json_array_size(cmd);
	if ((s->reload = calloc(s->n_reload + 1, sizeof(char *))) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < s->n_reload; i++) {
		json_t *a = json_array_get(cmd, i);
		if (!json_is_string(a) || json_string_length(a) == 0 ||
		    json_string_length(a) > 4096 ||
		    strlen(json_string_value(a)) != json_string_length(a))
			return deploy_fail(err, "Reload.Command",
					   "must be an array of non-empty strings");
		if ((s->reload[i] = strdup(json_string_value(a))) == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/* "host:port" or "[v6]:port". */
static int deploy_parse_check(json_t *in, struct deploy_spec *s, struct cm_err *err)
{
	json_t *check = NULL;
	const char *addr = NULL, *name = NULL;
	if (jv_object(in, NULL, "Check", false, &check, err) < 0 || check == NULL)
		return 0;
	if (jv_string(check, "Check", "Address", true, 3, 260, &addr, err) < 0 ||
	    jv_string(check, "Check", "ServerName", false, 1, 253, &name, err) < 0)
		return -1;
	const char *colon = strrchr(addr, ':');
	char *end = NULL;
	unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
	size_t hl = colon != NULL ? (size_t)(colon - addr) : 0;
	if (hl > 1 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (colon == NULL || hl == 0 || hl >= sizeof(s->check_host) || colon[1] == '\0' ||
	    *end != '\0' || port == 0 || port > 65535 || !jv_is_in_charset(addr, JV_WORD ".-:[]"))
		return deploy_fail(err, "Check.Address", "must be HOST:PORT");
	snprintf(s->check_host, sizeof(s->check_host), "%.*s", (int)hl, addr);
	s->check_port = (unsigned)port;
	if (name != NULL && !jv_is_in_charset(name, JV_WORD ".-*"))
		return deploy_fail(err, "Check.ServerName", "must be a DNS name");
	snprintf(s->check_name, sizeof(s->check_name), "%s", name != NULL ? name : "");
	return 0;
}

int deploy_spec_parse(const struct deploy_cfg *cfg, json_t *in, struct deploy_spec *out,
		      struct cm_err *err)
{
	int kind = 0;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(in))
		return cm_fail(err, CM_ERR_SERIALIZATION,
			       "The target specification must be an object");
	if (jv_enum(in, NULL, "Kind", true, deploy_kinds, &kind, NULL, err) < 0)
		return -1;
	out->kind = (enum deploy_kind)kind;
	if (deploy_parse_files(cfg, in, out, err) < 0 ||
	    deploy_parse_mode(in, "Mode", 0644, &out->mode, err) < 0 ||
	    deploy_parse_mode(in, "KeyMode", 0600, &out->key_mode, err) < 0 ||
	    deploy_parse_owner(in, "Owner", false, out->owner, sizeof(out->owner), err) < 0 ||
	    deploy_parse_owner(in, "Group", true, out->group, sizeof(out->group), err) < 0 ||
	    deploy_parse_reload(cfg, in, out, err) < 0 || deploy_parse_check(in, out, err) < 0)
		return -1;
	/* The key must never be readable (or writable) by other users. */
	if ((out->key_mode & 0007) != 0)
		return deploy_fail(
		    err, "KeyMode",
		    "must not give other users any access to the key (like 0600 or 0640)");
	if ((out->key_mode & 0400) == 0)
		return deploy_fail(err, "KeyMode", "must let the owner read the key");
	return 0;
}

static char *deploy_mode_text(unsigned mode, char buf[8])
{
	snprintf(buf, 8, "%04o", mode);
	return buf;
}

json_t *deploy_spec_json(const struct deploy_spec *s)
{
	char m1[8], m2[8];
	json_t *files = json_object();
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		if (s->paths[i] != NULL)
			json_object_set_new(files, deploy_files[i], json_string(s->paths[i]));
	json_t *j =
	    json_pack("{s:s, s:o, s:s, s:s}", "Kind", deploy_kinds[s->kind], "Files", files, "Mode",
		      deploy_mode_text(s->mode, m1), "KeyMode", deploy_mode_text(s->key_mode, m2));
	if (j == NULL)
		return NULL;
	if (s->owner[0] != '\0')
		json_object_set_new(j, "Owner", json_string(s->owner));
	if (s->group[0] != '\0')
		json_object_set_new(j, "Group", json_string(s->group));
	if (s->reload != NULL) {
		json_t *cmd = json_array();
		for (size_t i = 0; i < s->n_reload; i++)
			json_array_append_new(cmd, json_string(s->reload[i]));
		json_object_set_new(j, "Reload",
				    json_pack("{s:o, s:b, s:i}", "Command", cmd, "Shell", s->shell,
					      "TimeoutSeconds", s->reload_timeout));
	}
	if (s->check_host[0] != '\0') {
		char addr[300];
		bool v6 = strchr(s->check_host, ':') != NULL;
		snprintf(addr, sizeof(addr), "%s%s%s:%u", v6 ? "[" : "", s->check_host,
			 v6 ? "]" : "", s->check_port);
		json_t *c = json_pack("{s:s}", "Address", addr);
		if (s->check_name[0] != '\0')
			json_object_set_new(c, "ServerName", json_string(s->check_name));
		json_object_set_new(j, "Check", c);
	}
	return j;
}
