//! Every refusal of the verifier, with HS256 tokens built by hand where the crate would not build them.
//! RS256 and ES256 acceptance, with keys `openssl` generates, is in `tests/it/red_team/auth.rs`.

use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const NOW: u64 = 1_800_000_000;

fn alice() -> PlayerId {
    PlayerId::new("alice").unwrap()
}

fn hs256() -> Verifier {
    Verifier::new(vec![VerifyingKey::hs256(SECRET).unwrap()])
}

/// A token of exactly this header and payload JSON, signed with `secret` by HS256.
fn signed(header: &str, payload: &str, secret: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = EncodingKey::from_secret(secret).unwrap();
    let signature = jsonwebtoken::crypto::sign(signed.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{signed}.{signature}")
}

fn with_payload(payload: &str) -> String {
    signed(r#"{"alg":"HS256","typ":"JWT"}"#, payload, SECRET)
}

#[test]
fn a_valid_token_verifies_with_its_claims() {
    let claims = Claims::new(alice(), NOW, 60);
    let token = issue(&claims, SECRET).unwrap();
    assert_eq!(hs256().verify(&token, NOW), Ok(claims.clone()));
    assert_eq!(verify(&token, SECRET, NOW), Ok(claims));
    let with_nbf = with_payload(&format!(
        r#"{{"sub":"alice","exp":{},"nbf":{NOW},"iat":{NOW},"extra":[1]}}"#,
        NOW + 60
    ));
    assert!(
        hs256().verify(&with_nbf, NOW).is_ok(),
        "unknown claims are ignored"
    );
}

#[test]
fn times_are_checked_with_the_leeway() {
    let token = |payload: String| with_payload(&payload);
    let expired = token(format!(r#"{{"sub":"alice","exp":{}}}"#, NOW - 31));
    assert_eq!(hs256().verify(&expired, NOW), Err(TokenError::Expired));
    let just_within = token(format!(r#"{{"sub":"alice","exp":{}}}"#, NOW - 30));
    assert!(hs256().verify(&just_within, NOW).is_ok());
    assert_eq!(
        hs256().with_leeway(0).verify(&just_within, NOW),
        Err(TokenError::Expired)
    );
    let early = token(format!(
        r#"{{"sub":"alice","exp":{},"nbf":{}}}"#,
        NOW + 600,
        NOW + 31
    ));
    assert_eq!(hs256().verify(&early, NOW), Err(TokenError::NotYetValid));
    assert!(hs256().verify(&early, NOW + 1).is_ok(), "nbf within leeway");
    let future = token(format!(
        r#"{{"sub":"alice","exp":{},"iat":{}}}"#,
        NOW + 600,
        NOW + 31
    ));
    assert_eq!(
        hs256().verify(&future, NOW),
        Err(TokenError::IssuedInFuture)
    );
    assert!(
        hs256().verify(&future, NOW + 1).is_ok(),
        "iat within leeway"
    );
}

#[test]
fn other_algorithms_are_refused_none_included() {
    let payload = format!(r#"{{"sub":"alice","exp":{}}}"#, NOW + 60);
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(&payload)
    );
    for (alg, token) in [
        ("none", none),
        ("HS512", signed(r#"{"alg":"HS512"}"#, &payload, SECRET)),
        ("RS256", signed(r#"{"alg":"RS256"}"#, &payload, SECRET)),
        ("hs256", signed(r#"{"alg":"hs256"}"#, &payload, SECRET)),
    ] {
        assert_eq!(
            hs256().verify(&token, NOW),
            Err(TokenError::WrongAlgorithm {
                found: alg.into(),
                accepted: "HS256".into()
            }),
            "{alg}"
        );
    }
    let nothing = Verifier::new(Vec::new());
    assert!(matches!(
        nothing.verify(&with_payload(&payload), NOW),
        Err(TokenError::WrongAlgorithm { .. })
    ));
}

#[test]
fn a_wrong_key_or_a_changed_part_is_a_bad_signature() {
    let token = issue(&Claims::new(alice(), NOW, 60), SECRET).unwrap();
    assert_eq!(
        verify(&token, b"another secret of enough length!", NOW),
        Err(TokenError::BadSignature)
    );
    // The payload swapped for another player's, keeping the signature: forged.
    let mut parts: Vec<&str> = token.split('.').collect();
    let bob = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"bob","exp":{}}}"#, NOW + 60));
    parts[1] = &bob;
    assert_eq!(
        hs256().verify(&parts.join("."), NOW),
        Err(TokenError::BadSignature)
    );
    // A critical header extension nobody understands.
    let crit = signed(
        r#"{"alg":"HS256","crit":["exp-by-moon"],"exp-by-moon":1}"#,
        &format!(r#"{{"sub":"alice","exp":{}}}"#, NOW + 60),
        SECRET,
    );
    assert!(hs256().verify(&crit, NOW).is_err());
}

#[test]
fn issuer_and_audience_are_checked_when_configured() {
    let configured = || {
        hs256()
            .with_issuer(Some("login.example".into()))
            .with_audience(Some("leapfrog".into()))
    };
    let exp = NOW + 60;
    let token = |claims: &str| with_payload(&format!(r#"{{"sub":"alice","exp":{exp}{claims}}}"#));
    let good = token(r#","iss":"login.example","aud":"leapfrog""#);
    assert!(configured().verify(&good, NOW).is_ok());
    let in_a_list = token(r#","iss":"login.example","aud":["shop","leapfrog"]"#);
    assert!(configured().verify(&in_a_list, NOW).is_ok());
    for (claims, refusal) in [
        (r#","aud":"leapfrog""#, TokenError::WrongIssuer),
        (
            r#","iss":"evil.example","aud":"leapfrog""#,
            TokenError::WrongIssuer,
        ),
        (r#","iss":"login.example""#, TokenError::WrongAudience),
        (
            r#","iss":"login.example","aud":"shop""#,
            TokenError::WrongAudience,
        ),
        (
            r#","iss":"login.example","aud":["shop"]"#,
            TokenError::WrongAudience,
        ),
    ] {
        assert_eq!(
            configured().verify(&token(claims), NOW),
            Err(refusal),
            "{claims}"
        );
    }
    // With nothing configured: any issuer, but no audience at all (the token is for someone else).
    assert!(hs256().verify(&token(r#","iss":"anyone""#), NOW).is_ok());
    assert_eq!(
        hs256().verify(&token(r#","aud":"shop""#), NOW),
        Err(TokenError::WrongAudience)
    );
}

#[test]
fn malformed_and_oversized_tokens_are_refused() {
    let malformed =
        |token: &str| matches!(hs256().verify(token, NOW), Err(TokenError::Malformed(_)));
    for token in ["", "a.b", "a.b.c.d", "!!!.b.c", "e30.e30.e30"] {
        assert!(malformed(token), "{token:?}");
    }
    let exp = NOW + 60;
    for payload in [
        r#"{"sub":"alice"}"#.to_owned(),
        format!(r#"{{"exp":{exp}}}"#),
        format!(r#"{{"sub":"alice","exp":"{exp}"}}"#),
        format!(r#"{{"sub":"alice","exp":-{exp}}}"#),
        format!(r#"{{"sub":"alice","exp":{exp},"nbf":"soon"}}"#),
        format!(r#"{{"sub":7,"exp":{exp}}}"#),
        "not json".to_owned(),
    ] {
        assert!(malformed(&with_payload(&payload)), "{payload}");
    }
    let long = "x".repeat(MAX_TOKEN_BYTES + 1);
    assert_eq!(
        hs256().verify(&long, NOW),
        Err(TokenError::TooLong {
            len: MAX_TOKEN_BYTES + 1
        })
    );
    let bad_subject = with_payload(&format!(r#"{{"sub":"not a valid id","exp":{exp}}}"#));
    assert_eq!(
        hs256().verify(&bad_subject, NOW),
        Err(TokenError::BadSubject)
    );
}

#[test]
fn unusable_keys_are_refused() {
    assert_eq!(VerifyingKey::hs256(b"").unwrap_err(), KeyError::EmptySecret);
    assert!(issue(&Claims::new(alice(), NOW, 60), b"").is_err());
    for pem in [
        &b"not a pem"[..],
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(matches!(
            VerifyingKey::from_public_key_pem(pem),
            Err(KeyError::PublicKey(_))
        ));
    }
}
