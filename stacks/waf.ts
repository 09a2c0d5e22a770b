import { type Stage } from "aws-cdk-lib/aws-apigateway";
import { CfnWebACL, CfnWebACLAssociation } from "aws-cdk-lib/aws-wafv2";
import { type Construct } from "constructs";

/**
 * Requests one client IP may make in 5 minutes before WAF answers 429 for the rest of the window. The first release
 * allowed 100; CBM's CLI pages through lists and reads history per block, so 500 (under 2/s on average). The stage
 * throttle (20/s for everyone, API_THROTTLE) still bounds the total.
 */
export const WAF_RATE_LIMIT_PER_IP = 500;
export const WAF_RATE_WINDOW_SECONDS = 300;
/** AWS's baseline rule group for web apps (bad inputs, oversized bodies, path traversal, XSS …), as the first release used. */
export const WAF_MANAGED_RULE_GROUP = "AWSManagedRulesCommonRuleSet";

/**
 * A WAFv2 web ACL in front of the API stage: a per-IP rate limit first (cheap, and it stops a flood before the
 * managed rules are evaluated), then AWS's common rule set. Everything else is allowed through to API Gateway, which
 * still requires the API key on every method.
 */
export function apiFirewall(scope: Construct, props: { stage: Stage; metricPrefix: string }): CfnWebACL {
  const visibility = (name: string) => ({
    cloudWatchMetricsEnabled: true,
    metricName: `${props.metricPrefix}-${name}`,
    sampledRequestsEnabled: true,
  });
  const acl = new CfnWebACL(scope, "ApiFirewall", {
    scope: "REGIONAL",
    description: "CBM API: per-IP rate limit and AWS common rule set",
    defaultAction: { allow: {} },
    visibilityConfig: visibility("api"),
    rules: [
      {
        name: "RateLimitPerIp",
        priority: 0,
        // 429 rather than WAF's default 403: a client that backs off recovers, and a 403 would read as a wrong key.
        action: { block: { customResponse: { responseCode: 429 } } },
        statement: {
          rateBasedStatement: { limit: WAF_RATE_LIMIT_PER_IP, aggregateKeyType: "IP", evaluationWindowSec: WAF_RATE_WINDOW_SECONDS },
        },
        visibilityConfig: visibility("rate-limit"),
      },
      {
        name: WAF_MANAGED_RULE_GROUP,
        priority: 1,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: "AWS",
            name: WAF_MANAGED_RULE_GROUP,
            // Its 8 KB body cap would refuse valid requests with a bare 403; the function allows 64 KB and answers
            // anything larger with a 413 that says so (platform/http/body-size.ts). Counted, so the metric still shows it.
            ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }],
          },
        },
        visibilityConfig: visibility("common-rules"),
      },
    ],
  });
  new CfnWebACLAssociation(scope, "ApiFirewallAssociation", { resourceArn: props.stage.stageArn, webAclArn: acl.attrArn });
  return acl;
}
