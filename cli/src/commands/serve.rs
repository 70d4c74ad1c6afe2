//! `serve`: the verification service (latchkey-server) in the foreground until SIGINT or
//! SIGTERM; the options become a `ServeConfig`, everything else is the server crate's.
use latchkey_server::{ServeConfig, ServerError, TlsFiles, TrustedProxies};

use crate::args::ServeArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};

pub fn serve(context: &mut Context, args: ServeArgs) -> CliResult {
    let mut config = ServeConfig::new(context.location()?);
    config.clock = context.clock();
    config.listen = args.listen;
    config.tls = args
        .tls_cert
        .zip(args.tls_key)
        .map(|(cert, key)| TlsFiles { cert, key });
    config.insecure_plain_http = args.insecure_plain_http;
    config.trust_proxy =
        TrustedProxies::parse(&args.trust_proxy).map_err(|e| CliError::Usage(e.to_string()))?;
    config.max_connections = args.max_connections;
    latchkey_server::serve_until_signal(config).map_err(|error| match error {
        ServerError::Core(core) => CliError::Core(core),
        // Could not start (address, TLS files, transport rule): exit 2 with its one line.
        other => CliError::Usage(other.to_string()),
    })
}
