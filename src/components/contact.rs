//! The payer's contact, for providers whose payment requests name the payer (Coins.ph): the
//! field, a hint and its validation message. Checked with the server's own rule
//! (`protocol::contact`) before a pick, so the payer hears of a typo here, not from the provider.

use leptos::prelude::*;

use super::{attr, handler};
use protocol::parse_payer_contact;

use crate::i18n::{fill, Locale};

/// What the payer has typed and whether it was refused. Shared by the form, which edits it,
/// and the currency buttons, which validate it before a pick.
#[derive(Clone, Copy)]
pub struct ContactEntry {
    typed: RwSignal<String>,
    refused: RwSignal<bool>,
}

impl Default for ContactEntry {
    fn default() -> Self {
        ContactEntry {
            typed: RwSignal::new(String::new()),
            refused: RwSignal::new(false),
        }
    }
}

impl ContactEntry {
    /// The contact in the form sent (normalised) if it is one; otherwise the reason is shown
    /// and `None` returned.
    pub fn validate(self) -> Option<String> {
        let contact = parse_payer_contact(&self.typed.get_untracked());
        self.refused.set(contact.is_none());
        contact.map(|c| c.value)
    }

    /// A new text from the payer: the old complaint no longer applies.
    fn replace(self, text: String) {
        self.typed.set(text);
        self.refused.set(false);
    }
}

/// The labelled contact field, with what is accepted and, after a refusal, why.
#[component]
pub fn ContactForm(
    /// The contact being edited.
    entry: ContactEntry,
    /// Who asks for it (the option's network name, e.g. `Coins.ph`).
    provider: String,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let label = fill(t.contact_label(), &[("provider", &provider)]);
    let refused = entry.refused;
    view! {
        <div class="contact-form" {attr("part", "contact")}>
            <label class="label" {attr("for", "cw-contact")}>{label}</label>
            <input {attr("id", "cw-contact")} class="input" {attr("type", "text")} {attr("autocomplete", "email")} {attr("spellcheck", "false")}
                {attr("maxlength", "254")} {attr("aria-describedby", "cw-contact-hint cw-contact-error")}
                {attr("aria-invalid", move || if refused.get() { "true" } else { "false" })}
                prop:value=move || entry.typed.get()
                on:input=handler(move |ev| entry.replace(event_target_value(&ev)))
                on:blur=handler(move |_| {
                    if !entry.typed.get_untracked().trim().is_empty() {
                        entry.validate();
                    }
                }) />
            <p {attr("id", "cw-contact-hint")} class="muted">{t.contact_hint()}</p>
            <p {attr("id", "cw-contact-error")} class="field-error" {attr("role", "alert")}>
                // Owned, like every changing text in the widget: one kind of text effect linked.
                {move || if refused.get() { t.contact_invalid() } else { "" }.to_owned()}
            </p>
        </div>
    }
}
