/* The dispatch table of Certain's own operations. They share the endpoint,
 * the JSON 1.1 envelope and SigV4 with the AWS services, under a target
 * prefix and a signing name no AWS service uses, so no AWS client can call one
 * by mistake. */
#include "api/ext/handlers.h"

#define EXT_OP(name, fn)                                                                           \
	{                                                                                          \
		"Certain." name, "certain", fn, false                                              \
	}

const struct aws_operation ext_operations[] = {
    EXT_OP("CreateEventTarget", ext_api_create_target),
    EXT_OP("ListEventTargets", ext_api_list_targets),
    EXT_OP("DeleteEventTarget", ext_api_delete_target),
    EXT_OP("ListEvents", ext_api_list_events),
    EXT_OP("ListDeadLetters", ext_api_list_dead_letters),
    EXT_OP("ReplayDeadLetter", ext_api_replay_dead_letter),
    EXT_OP("AdvanceClock", ext_api_advance_clock),
    EXT_OP("CreateDeploymentTarget", ext_api_create_deploy_target),
    EXT_OP("DescribeDeploymentTarget", ext_api_describe_deploy_target),
    EXT_OP("ListDeploymentTargets", ext_api_list_deploy_targets),
    EXT_OP("UpdateDeploymentTarget", ext_api_update_deploy_target),
    EXT_OP("DeleteDeploymentTarget", ext_api_delete_deploy_target),
    EXT_OP("AssociateCertificate", ext_api_associate_certificate),
    EXT_OP("DisassociateCertificate", ext_api_disassociate_certificate),
    EXT_OP("ListDeployments", ext_api_list_deployments),
    {NULL, NULL, NULL, false},
};
