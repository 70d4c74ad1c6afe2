//! The token a request presents: `Authorization: Bearer lk_…` (RFC 6750 §2.1), and only there.
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use zeroize::Zeroizing;

pub(crate) enum Credential {
    /// No `Authorization` header, or one of another scheme.
    Missing,
    /// A header that cannot be a token (several, not text, empty).
    Malformed,
    Token(Zeroizing<String>),
}

pub(crate) fn credential(headers: &HeaderMap) -> Credential {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return match headers.contains_key(AUTHORIZATION) {
            true => Credential::Malformed,
            false => Credential::Missing,
        };
    };
    let Ok(text) = value.to_str() else {
        return Credential::Malformed;
    };
    let Some((scheme, token)) = text.trim().split_once(' ') else {
        return Credential::Missing;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credential::Missing;
    }
    match token.trim() {
        "" => Credential::Malformed,
        token => Credential::Token(Zeroizing::new(token.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn presented(values: &[&[u8]]) -> Credential {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                AUTHORIZATION,
                HeaderValue::from_bytes(value).expect("a value"),
            );
        }
        credential(&headers)
    }

    #[test]
    fn only_one_bearer_header_carries_a_token() {
        assert!(matches!(presented(&[]), Credential::Missing));
        assert!(matches!(
            presented(&[b"Basic dXNlcjpwdw=="]),
            Credential::Missing
        ));
        assert!(matches!(presented(&[b"Bearer"]), Credential::Missing));
        assert!(matches!(presented(&[b"Bearer  "]), Credential::Missing));
        assert!(matches!(
            presented(&[b"Bearer lk_\xff"]),
            Credential::Malformed
        ));
        assert!(matches!(
            presented(&[b"Bearer a", b"Bearer b"]),
            Credential::Malformed
        ));
        match presented(&[b"bearer  lk_abc "]) {
            Credential::Token(token) => assert_eq!(token.as_str(), "lk_abc"),
            _ => panic!("expected a token"),
        }
    }
}
