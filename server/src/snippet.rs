//! The nginx configuration that puts a location behind the service, as docs/SERVE.md shows it:
//! the app offers it for copying next to the address it serves on.

/// `auth_request` for `location /` against the service at `service_url` (`http://ADDR`), for
/// the system `system`; the owner goes on to the upstream, the token does not.
pub fn nginx_snippet(service_url: &str, system: &str) -> String {
    format!(
        "location / {{
    auth_request /_latchkey;
    auth_request_set $latchkey_owner $upstream_http_x_latchkey_owner;
    proxy_set_header X-Latchkey-Owner $latchkey_owner;
    proxy_set_header Authorization \"\";
    proxy_pass http://127.0.0.1:8080;  # your service
}}

location = /_latchkey {{
    internal;
    proxy_pass {service_url}/v1/verify?system={system};
    proxy_pass_request_body off;
    proxy_set_header Content-Length \"\";
    proxy_set_header X-Forwarded-For $remote_addr;
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_points_at_the_service_and_keeps_the_token_from_the_upstream() {
        let text = nginx_snippet("http://127.0.0.1:7420", "web-api");
        assert!(text.contains("proxy_pass http://127.0.0.1:7420/v1/verify?system=web-api;"));
        assert!(text.contains("proxy_set_header Authorization \"\";"));
        assert!(text.contains("auth_request_set $latchkey_owner"));
    }
}
