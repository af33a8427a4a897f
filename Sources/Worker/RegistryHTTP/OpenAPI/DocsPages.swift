/// The HTML of `/docs` (Swagger UI), `/docs/oauth2-redirect` and `/redoc` (ReDoc). Like FastAPI's
/// pages they are a shell that loads the viewer from the jsDelivr CDN and points it at the
/// OpenAPI document; nothing is bundled into the server.
enum DocsPages {
    static let swaggerUIVersion = "5"
    static let redocVersion = "2"

    /// `uiPath`: where the web UI is (a link above the viewer), nil when it is off.
    static func swaggerUI(title: String, openAPIPath: String, oauth2RedirectPath: String, uiPath: String? = nil) -> String {
        let ui = uiPath.map { "<p><a href=\"\(escapeHTML($0))\">Browse the registered schemas in the web UI</a></p>\n" } ?? ""
        let cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@\(swaggerUIVersion)"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapeHTML(title)) - Swagger UI</title>
            <link rel="stylesheet" type="text/css" href="\(cdn)/swagger-ui.css">
            </head>
            <body>
            \(ui)<div id="swagger-ui"></div>
            <script src="\(cdn)/swagger-ui-bundle.js"></script>
            <script>
            window.ui = SwaggerUIBundle({
                url: "\(openAPIPath)",
                dom_id: "#swagger-ui",
                layout: "BaseLayout",
                deepLinking: true,
                showExtensions: true,
                showCommonExtensions: true,
                oauth2RedirectUrl: window.location.origin + "\(oauth2RedirectPath)",
                presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
            });
            </script>
            </body>
            </html>

            """
    }

    static func redoc(title: String, openAPIPath: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title)) - ReDoc</title>
        <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Montserrat:300,400,700|Roboto:300,400,700">
        <style>body { margin: 0; padding: 0; }</style>
        </head>
        <body>
        <noscript>ReDoc needs JavaScript.</noscript>
        <redoc spec-url="\(openAPIPath)"></redoc>
        <script src="https://cdn.jsdelivr.net/npm/redoc@\(redocVersion)/bundles/redoc.standalone.js"></script>
        </body>
        </html>

        """
    }

    /// Swagger UI opens an OAuth2 authorization in a pop-up that comes back here; this page hands
    /// the answer (from the query or the fragment) to the waiting Swagger UI window and closes.
    /// The registry itself uses no OAuth2; the page is there for documents that do.
    static let oauth2Redirect = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Swagger UI: OAuth2 Redirect</title></head>
        <body>
        <script>
        "use strict";
        (function () {
            var pending = window.opener && window.opener.swaggerUIRedirectOauth2;
            if (!pending) {
                document.body.textContent = "No Swagger UI window is waiting for this redirect.";
                return;
            }
            var answer = /code|token|error/.test(window.location.hash)
                ? window.location.hash.substring(1) : window.location.search.substring(1);
            var params = {};
            new URLSearchParams(answer).forEach(function (value, key) { params[key] = value; });
            var isValid = params.state === pending.state;
            var flow = pending.auth.schema.get("flow");
            var codeFlows = ["accessCode", "authorizationCode", "authorization_code"];
            if (codeFlows.indexOf(flow) >= 0 && !pending.auth.code) {
                if (!isValid) {
                    pending.errCb({ authId: pending.auth.name, source: "auth", level: "warning",
                                    message: "Authorization may be unsafe: the state sent differs from the state received." });
                }
                if (params.code) {
                    delete pending.state;
                    pending.auth.code = params.code;
                    pending.callback({ auth: pending.auth, redirectUrl: pending.redirectUrl });
                } else {
                    var reason = params.error
                        ? "[" + params.error + "]: " + (params.error_description || "no authorization code received.")
                            + (params.error_uri ? " More info: " + params.error_uri : "")
                        : "[Authorization failed]: no authorization code received from the server.";
                    pending.errCb({ authId: pending.auth.name, source: "auth", level: "error", message: reason });
                }
            } else {
                pending.callback({ auth: pending.auth, token: params, isValid: isValid, redirectUrl: pending.redirectUrl });
            }
            window.close();
        })();
        </script>
        </body>
        </html>

        """

    /// `APP_NAME` goes into the page's title, escaped by the one escaping function (`HTML.escape`).
    static func escapeHTML(_ text: String) -> String { HTML.escape(text) }
}
