//! Random secrets from the operating system's CSPRNG, and the form they are
//! stored in: SHA-256 of the secret (tokens and codes are long and random,
//! so a plain hash is enough; passwords are for [`super::password`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use branchpulse_core::access::{PinHash, CODE_ALPHABET, CODE_LEN};

/// Bytes of randomness in a session token, CSRF token or device token.
const TOKEN_BYTES: usize = 32;

/// Letters of generated passwords: no 0/O, 1/l/I, so they can be read off
/// a console and typed.
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// Length of generated passwords (about 115 bits).
pub const GENERATED_PASSWORD_LEN: usize = 20;

fn random_bytes(buf: &mut [u8]) {
    // Without the OS's randomness the server cannot make a safe secret;
    // going on with a weak one would be worse than stopping.
    getrandom::getrandom(buf).expect("the operating system's random number generator failed");
}

/// A token (session, CSRF or device): 256 random bits, URL-safe base64.
pub fn token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    random_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `len` letters drawn uniformly from `alphabet` (rejection sampling, so
/// no letter is likelier than another).
fn letters(alphabet: &[u8], len: usize) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        random_bytes(&mut buf);
        for &b in &buf {
            if usize::from(b) < limit && out.len() < len {
                out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
            }
        }
    }
    out
}

/// A one-time enrolment code, normalized (see `access::normalize_code`).
pub fn enrolment_code() -> String {
    letters(CODE_ALPHABET.as_bytes(), CODE_LEN)
}

/// A password for the first admin or a reset.
pub fn password() -> String {
    letters(PASSWORD_ALPHABET, GENERATED_PASSWORD_LEN)
}

/// Bytes of randomness in a staff PIN's salt.
const PIN_SALT_BYTES: usize = 16;

/// A staff PIN as the kiosk checks it offline (the scheme of
/// `access::PinHash`): a fresh random salt every time, so that one PIN set
/// twice, or on two kiosks, is never stored alike. A PIN has only 10⁴ to
/// 10⁸ values, so the hash guards against a glance, not a search: the
/// salt and hash go only to the admin's list (as `pin_set`) and to the
/// kiosk itself.
pub fn pin_hash(pin: &str) -> PinHash {
    let mut salt = [0u8; PIN_SALT_BYTES];
    random_bytes(&mut salt);
    let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    let hash = crate::store::sha256_hex(&format!("{salt}:{pin}"));
    PinHash { salt, hash }
}

/// What the database keeps of a token or code.
pub fn hash(secret: &str) -> String {
    crate::store::sha256_hex(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::access::normalize_code;

    #[test]
    fn secrets_are_long_random_and_of_their_alphabet() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        let code = enrolment_code();
        assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
        let p = password();
        assert_eq!(p.chars().count(), GENERATED_PASSWORD_LEN);
        assert!(branchpulse_core::access::check_password(&p, "admin").is_ok());
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a).len(), 64);
    }

    #[test]
    fn a_pin_hash_is_a_fresh_salt_and_sha256_of_salt_colon_pin() {
        use sha2::{Digest, Sha256};
        let (a, b) = (pin_hash("2468"), pin_hash("2468"));
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.hash, b.hash);
        assert_eq!(a.salt.len(), 32);
        assert!(a
            .salt
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let expected = format!(
            "{:x}",
            Sha256::digest(format!("{}:2468", a.salt).as_bytes())
        );
        assert_eq!(a.hash, expected);
    }
}
