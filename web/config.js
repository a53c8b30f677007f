// Where the privacy API lives. Empty: the same origin as these pages (the local stack serves
// both). A deployment that serves web/ from elsewhere sets the API Gateway stage URL here, e.g.
//   window.PRIVACY_API_BASE = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
// and lists the pages' origin in the stack's AllowedOrigins parameter (CORS).
window.PRIVACY_API_BASE = "";
