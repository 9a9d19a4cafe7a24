//! The payer's contact for providers whose payment requests name the payer (Coins.ph's
//! `payer_contact_info`: an email, a phone number or a Coins.ph account id). The widget checks it
//! before sending and the server checks it again, with this one rule, so the two cannot disagree.
//!
//! Accepted (an assumption: the provider's documentation names the three kinds, not their
//! syntax): an email `local@domain.tld`; a phone number in international form, `+` then 8 to 15
//! digits (spaces, dots, dashes and brackets between them are dropped); or an account id of 32
//! hexadecimal characters, the form of the account ids in Coins.ph's examples.

/// What kind of contact the payer gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Email,
    Phone,
    AccountId,
}

/// A contact that passed [`parse_payer_contact`], in its normalised form (what is sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerContact {
    pub kind: ContactKind,
    pub value: String,
}

/// The longest contact accepted (the longest email address SMTP allows).
pub const MAX_CONTACT_LEN: usize = 254;

/// Reads the payer's contact; `None` when it is none of the accepted forms.
pub fn parse_payer_contact(text: &str) -> Option<PayerContact> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_CONTACT_LEN {
        return None;
    }
    let (kind, value) = if text.contains('@') {
        (ContactKind::Email, email(text)?)
    } else if let Some(rest) = text.strip_prefix('+') {
        (ContactKind::Phone, phone(rest)?)
    } else {
        (ContactKind::AccountId, account_id(text)?)
    };
    Some(PayerContact { kind, value })
}

fn email(text: &str) -> Option<String> {
    let (local, domain) = text.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '<' | '>' | '(' | ')' | ',' | ';'));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2);
    (local_ok && domain_ok).then(|| text.to_owned())
}

fn phone(rest: &str) -> Option<String> {
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (8..=15)
        .contains(&digits.len())
        .then(|| format!("+{digits}"))
}

fn account_id(text: &str) -> Option<String> {
    (text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<(ContactKind, String)> {
        parse_payer_contact(text).map(|c| (c.kind, c.value))
    }

    #[test]
    fn emails_phones_and_account_ids_are_accepted_in_their_normal_form() {
        assert_eq!(
            kind(" juan@example.ph "),
            Some((ContactKind::Email, "juan@example.ph".into()))
        );
        assert_eq!(
            kind("+63 (917) 123-4567"),
            Some((ContactKind::Phone, "+639171234567".into()))
        );
        assert_eq!(
            kind("5411C4604C9B45B8B74837C84DAA0F4C"),
            Some((
                ContactKind::AccountId,
                "5411c4604c9b45b8b74837c84daa0f4c".into()
            ))
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "   ",
            "juan",
            "juan@",
            "@example.ph",
            "juan@example",
            "juan@exa mple.ph",
            "ju an@example.ph",
            "juan@-example.ph",
            "juan@example.p",
            "a@b@example.ph",
            "09171234567",
            "+6391",
            "+1234567890123456",
            "+63 917 ABC 4567",
            "5411c4604c9b45b8b74837c84daa0f4",
            "5411c4604c9b45b8b74837c84daa0f4g",
        ] {
            assert_eq!(kind(bad), None, "{bad:?}");
        }
        let long = format!("{}@example.ph", "a".repeat(250));
        assert_eq!(kind(&long), None);
    }
}
