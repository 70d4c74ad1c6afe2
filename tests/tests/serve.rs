//! `latchkey serve` (SPEC §5 "Verification service") through real sockets: every status code
//! and header, introspection, the limits, TLS, flood control, stopping and kill -9, and nginx
//! and Caddy in front of it. Build first: `cargo build -p latchkey-cli`.
mod serve {
    mod caddy;
    mod fixture;
    mod flood;
    mod introspect;
    mod lifecycle;
    mod limits;
    mod nginx;
    mod proxy_table;
    mod tls;
    mod unused;
    mod verify;
}
