/* Handlers: ListEvents, ListDeadLetters, ReplayDeadLetter: the event log of
 * an account with each event's delivery state, the deliveries that were given
 * up on, and sending those again. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ext/handlers.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "lifecycle/delivery.h"
#include "store/store.h"

#define EXT_PAGE_DEFAULT 100
#define EXT_PAGE_MAX	 1000

static int ext_page_args(const struct aws_ctx *actx, json_t *in, const char *scope, long long *max,
			 char *cursor, size_t cursor_size, struct cm_err *err)
{
	const char *token = NULL;
	*max = EXT_PAGE_DEFAULT;
	cursor[0] = '\0';
	if (jv_int(in, NULL, "MaxResults", false, 1, EXT_PAGE_MAX, max, NULL, err) < 0 ||
	    jv_string(in, NULL, "NextToken", false, 1, 4096, &token, err) < 0)
		return -1;
	if (token != NULL && token_decode(actx->env->token_key, actx->account, scope, token, cursor,
					  cursor_size, err) < 0)
		return -1;
	return 0;
}

static int ext_set_token(const struct aws_ctx *actx, json_t *out, const char *scope,
			 const char *cursor, struct cm_err *err)
{
	char *token = token_encode(actx->env->token_key, actx->account, scope, cursor);
	if (token == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode NextToken");
	json_object_set_new(out, "NextToken", json_string(token));
	free(token);
	return 0;
}

/* The event JSON as an object (a body that does not parse is shown as text
 * rather than hidden: it is still what was sent). */
static json_t *ext_event_body(const char *body)
{
	json_t *j = json_loads(body != NULL ? body : "null", JSON_DECODE_ANY, NULL);
	return j != NULL ? j : json_string(body);
}

static json_t *ext_delivery_encode(const struct store_delivery *d)
{
	json_t *j = json_pack("{s:s, s:s, s:i}", "TargetId", d->target_id, "State", d->state,
			      "Attempts", d->attempts);
	if (d->last_error[0] != '\0')
		json_object_set_new(j, "LastError", json_string(d->last_error));
	if (d->delivered_at != 0)
		json_object_set_new(j, "DeliveredAt", json_integer(d->delivered_at));
	if (strcmp(d->state, "PENDING") == 0)
		json_object_set_new(j, "NextAttemptAt", json_integer(d->next_attempt_at));
	return j;
}

static void ext_event_collect(void *ctx, const struct store_event *e)
{
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:I, s:o}", "EventId", e->id,
					     "DetailType", e->detail_type, "Resource", e->resource,
					     "CreatedAt", (json_int_t)e->created_at, "Event",
					     ext_event_body(e->body)));
}

static int ext_add_deliveries(const struct aws_ctx *actx, json_t *event, struct cm_err *err)
{
	struct store_delivery *list = NULL;
	size_t n = 0;
	const char *id = json_string_value(json_object_get(event, "EventId"));
	if (store_delivery_list_event(actx->env->store, actx->account, id, &list, &n, err) < 0)
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, ext_delivery_encode(&list[i]));
	free(list);
	json_object_set_new(event, "Deliveries", arr);
	return 0;
}

int ext_api_list_events(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char scope[] = "ListEvents";
	long long since = 0, max = 0;
	char cursor[128], after_id[40] = "";
	int64_t after_at = -1;
	if (jv_int(in, NULL, "Since", false, 0, INT64_MAX / 2, &since, NULL, err) < 0 ||
	    ext_page_args(actx, in, scope, &max, cursor, sizeof(cursor), err) < 0)
		return -1;
	if (cursor[0] != '\0' && sscanf(cursor, "%" SCNd64 "|%39s", &after_at, after_id) != 2)
		return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
	json_t *events = json_array();
	/* One row more than asked: whether it exists says if there is a next page. */
	int rows = store_event_list(actx->env->store, actx->account, since, after_at, after_id,
				    (int)max + 1, ext_event_collect, events, err);
	if (rows < 0)
		goto fail;
	if (rows > max)
		json_array_remove(events, (size_t)max);
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		if (ext_add_deliveries(actx, ev, err) < 0)
			goto fail;
	}
	*out = json_pack("{s:o}", "Events", events);
	if (rows > max) {
		json_t *last = json_array_get(events, (size_t)max - 1);
		snprintf(cursor, sizeof(cursor), "%" JSON_INTEGER_FORMAT "|%s",
			 json_integer_value(json_object_get(last, "CreatedAt")),
			 json_string_value(json_object_get(last, "EventId")));
		if (ext_set_token(actx, *out, scope, cursor, err) < 0) {
			json_decref(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
fail:
	json_decref(events);
	return -1;
}

static json_t *ext_dead_letter_encode(const struct aws_ctx *actx, const struct store_delivery *d,
				      struct cm_err *err)
{
	struct store_event ev = {0};
	if (store_event_get(actx->env->store, actx->account, d->event_id, &ev, err) < 0)
		return NULL;
	json_t *j =
	    json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:o}", "EventId", d->event_id,
		      "TargetId", d->target_id, "Attempts", d->attempts, "LastError", d->last_error,
		      "DetailType", ev.detail_type, "Resource", ev.resource, "CreatedAt",
		      (json_int_t)ev.created_at, "Event", ext_event_body(ev.body));
	store_event_clear(&ev);
	return j;
}

int ext_api_list_dead_letters(const struct aws_ctx *actx, json_t *in, json_t **out,
			      struct cm_err *err)
{
	static const char scope[] = "ListDeadLetters";
	long long max = 0;
	char cursor[128], after_event[40] = "", after_target[40] = "";
	struct store_delivery *list = NULL;
	size_t n = 0;
	if (ext_page_args(actx, in, scope, &max, cursor, sizeof(cursor), err) < 0)
		return -1;
	if (cursor[0] != '\0' && sscanf(cursor, "%39[^|]|%39s", after_event, after_target) != 2)
		return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
	if (store_delivery_list_state(actx->env->store, actx->account, "DEAD", after_event,
				      after_target, (int)max + 1, &list, &n, err) < 0)
		return -1;
	json_t *dead = json_array();
	int rc = -1;
	for (size_t i = 0; i < n && i < (size_t)max; i++) {
		json_t *j = ext_dead_letter_encode(actx, &list[i], err);
		if (j == NULL)
			goto out;
		json_array_append_new(dead, j);
	}
	*out = json_pack("{s:O}", "DeadLetters", dead);
	rc = 0;
	if (n > (size_t)max) {
		snprintf(cursor, sizeof(cursor), "%s|%s", list[max - 1].event_id,
			 list[max - 1].target_id);
		if (ext_set_token(actx, *out, scope, cursor, err) < 0) {
			json_decref(*out);
			*out = NULL;
			rc = -1;
		}
	}
out:
	json_decref(dead);
	free(list);
	return rc;
}

/* Every DEAD delivery of one event back to PENDING; how many. */
static int ext_replay_all(const struct aws_ctx *actx, const char *event_id, struct cm_err *err)
{
	struct store_delivery *list = NULL;
	size_t n = 0;
	int replayed = 0;
	if (store_delivery_list_event(actx->env->store, actx->account, event_id, &list, &n, err) <
	    0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].state, "DEAD") != 0)
			continue;
		if (store_delivery_replay(actx->env->store, actx->account, event_id,
					  list[i].target_id, actx->now, err) < 0) {
			free(list);
			return -1;
		}
		replayed++;
	}
	free(list);
	if (replayed == 0)
		return cm_fail(err, CM_ERR_NOT_FOUND, "Event %s has no dead-letter deliveries",
			       event_id);
	return replayed;
}

int ext_api_replay_dead_letter(const struct aws_ctx *actx, json_t *in, json_t **out,
			       struct cm_err *err)
{
	const char *event_id = NULL, *target = NULL;
	char target_id[40];
	int replayed = 1;
	if (jv_string(in, NULL, "EventId", true, 36, 36, &event_id, err) < 0 ||
	    jv_string(in, NULL, "TargetId", false, 1, 256, &target, err) < 0 ||
	    (target != NULL && ext_api_target_id(target, "TargetId", target_id, err) < 0))
		return -1;
	if (target != NULL) {
		if (store_delivery_replay(actx->env->store, actx->account, event_id, target_id,
					  actx->now, err) < 0)
			return -1;
	} else if ((replayed = ext_replay_all(actx, event_id, err)) < 0) {
		return -1;
	}
	delivery_wake();
	*out = json_pack("{s:i}", "Replayed", replayed);
	return 0;
}
