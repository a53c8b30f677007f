// Where the ops API lives and how the console proves who is calling it.
//   mode "local": the local stack (make run). The operator name typed at sign-in stands in for
//     the IAM identity, sent as X-Local-Operator exactly as `privacy-ops --operator NAME` does.
//     The local stack alone honours that header; on AWS, API Gateway ignores it.
//   mode "aws": a deployed stack. Sign-in goes through the Cognito user pool's hosted page; the
//     identity pool exchanges the ID token for short-lived credentials of the operations role,
//     and every call is signed with SigV4 (vendor/aws4fetch). Fill the values from the stack's
//     outputs (OpsConsole* and OpsApiUrl), e.g.
// window.PRIVACY_OPS = {
//   mode: "aws",
//   apiBase: "https://abc123.execute-api.us-east-1.amazonaws.com/v1",   // OpsApiUrl: what is signed
//   sendBase: "/ops-api",   // where calls go: this origin, CloudFront's /ops-api/* behaviour (docs/deploy.md)
//   region: "us-east-1",
//   userPoolId: "us-east-1_AbCdEf123",
//   userPoolClientId: "1h2j3k4l5m6n7o8p9q0r",
//   userPoolDomain: "https://callx-privacy-ops.auth.us-east-1.amazoncognito.com",
//   identityPoolId: "us-east-1:00000000-0000-0000-0000-000000000000",
// };
window.PRIVACY_OPS = { mode: "local", apiBase: "" };
