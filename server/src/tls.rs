//! TLS with rustls (ring provider): a PEM certificate chain and its PEM private key.
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::error::{Result, ServerError};

pub(crate) fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor> {
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| file_error("certificate", &files.cert, &e))?;
    if certs.is_empty() {
        return Err(file_error(
            "certificate",
            &files.cert,
            &rustls_pki_types::pem::Error::NoItemsFound,
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| file_error("private key", &files.key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| ServerError::TlsConfig(e.to_string()))?;
    // HTTP/1.1 only: what forward-auth proxies speak, and the limits are set for it.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn file_error(
    what: &'static str,
    path: &Path,
    error: &rustls_pki_types::pem::Error,
) -> ServerError {
    let reason = match error {
        rustls_pki_types::pem::Error::Io(io) => io.to_string(),
        rustls_pki_types::pem::Error::NoItemsFound => format!("no PEM {what} in it"),
        other => format!("not valid PEM ({other})"),
    };
    ServerError::TlsFile {
        what,
        path: path.to_path_buf(),
        reason,
    }
}
