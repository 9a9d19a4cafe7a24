//! Every view of the journey mounted alone with a fixture checkout, in real Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use checkout_widget::api::ApiError;
use checkout_widget::components::choose::Choose;
use checkout_widget::components::copy::CopyButton;
use checkout_widget::components::feedback::{Failure, Skeleton};
use checkout_widget::components::header::Header;
use checkout_widget::components::outcome::Outcome;
use checkout_widget::components::pay::Pay;
use checkout_widget::components::processing::Processing;
use checkout_widget::i18n::Locale;
use checkout_widget::state::{links_back, screen, Screen};
use leptos::prelude::*;
use protocol::{CheckoutStatus::*, CheckoutType, Exception, PickCurrencyRequest};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EN: Locale = Locale::En;

#[wasm_bindgen_test]
async fn choose_filters_the_list_and_validates_the_amount_before_picking() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::NoPrice;
    c.price = None;
    c.amount_currency = Some("USD".into());
    c.min_amount = Some(amount("10.00"));
    c.max_amount = Some(amount("1000.00"));
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r)) busy=busy error=error />
        }
    });
    assert_eq!(m.all("button.currency").len(), 7);
    let usdt_tron = m.get("button.currency[data-currency=USDT][data-network=TRON]");
    assert!(
        usdt_tron.text_content().unwrap().contains("Tron (TRC-20)"),
        "network shown"
    );

    type_into(&m.get("input.filter"), "erc-20");
    assert!(
        until(|| m.all("button.currency").len() == 2).await,
        "filtered by network"
    );
    type_into(&m.get("input.filter"), "nothing like this");
    assert!(until(|| m.query("p.muted").is_some()).await);
    assert_eq!(m.text("p.muted"), "No currency matches your search.");
    type_into(&m.get("input.filter"), "");
    assert!(until(|| m.all("button.currency").len() == 7).await);

    // No amount yet: the payer is told, nothing is picked.
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| !m.text("#cw-amount-error").is_empty()).await);
    assert_eq!(m.text("#cw-amount-error"), "Enter an amount first.");
    assert_eq!(
        m.get("#cw-amount").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    for (typed, says) in [
        ("5", "The minimum is 10.00."),
        ("1000.01", "The maximum is 1,000.00."),
        ("12.345", "Use at most 2 decimal places."),
        ("abc", "Enter an amount, for example 10.00."),
    ] {
        type_into(&m.get("#cw-amount"), typed);
        m.get("button.currency[data-currency=BTC]").click();
        assert!(
            until(|| m.text("#cw-amount-error") == says).await,
            "{typed}: {}",
            m.text("#cw-amount-error")
        );
    }
    assert_eq!(picked.get_untracked(), None);

    type_into(&m.get("#cw-amount"), "1,000");
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| picked.get_untracked().is_some()).await);
    assert_eq!(
        picked.get_untracked(),
        Some(PickCurrencyRequest {
            currency: "BTC".into(),
            network: "BITCOIN".into(),
            amount: Some(amount("1000")),
            payer_contact: None,
        })
    );
    assert!(until(|| m.text("#cw-amount-error").is_empty()).await);

    // While a pick is on its way the buttons are disabled; a refusal is shown.
    busy.set(true);
    assert!(until(|| m.get("button.currency").has_attribute("disabled")).await);
    error.set(Some(ApiError::Server {
        status: 422,
        code: "invalid_amount".into(),
        message: "amount is below the minimum".into(),
    }));
    assert!(
        until(|| m
            .all("[role=alert]")
            .iter()
            .any(|e| e.text_content().unwrap() == "amount is below the minimum"))
        .await
    );
}

/// A pick that does not move focus (Safari's buttons, a scripted `.click()`) leaves the amount
/// field focused; when the pick succeeds the choice view goes away with the field, whose blur
/// then arrives after its owner is gone.
#[wasm_bindgen_test]
async fn picking_while_the_amount_field_has_focus_does_not_crash() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::NoPrice;
    c.price = None;
    c.amount_currency = Some("USD".into());
    let choosing = RwSignal::new(true);
    let m = mount(move || {
        view! {
            <Show when=move || choosing.get() fallback=|| view! { <p class="paying">"paying"</p> }>
                <Choose checkout=c.clone() locale=EN on_pick=move |_| choosing.set(false)
                    busy=RwSignal::new(false) error=RwSignal::new(None) />
            </Show>
        }
    });
    let field = m.get("#cw-amount");
    field.focus().unwrap();
    type_into(&field, "25");
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| m.query(".paying").is_some()).await);
    sleep(50).await;
    assert_no_crash();
}

#[wasm_bindgen_test]
async fn choose_asks_for_the_payers_contact_when_the_provider_needs_it() {
    let c = coinsph_checkout(New);
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r))
                busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    // A labelled field, with what is accepted.
    let label = m.get("label[for=cw-contact]");
    assert_eq!(
        label.text_content().unwrap(),
        "Your Coins.ph email, phone number or account ID"
    );
    assert!(m.text("#cw-contact-hint").contains("+63 917 123 4567"));
    let wallet = "button.currency[data-currency=PHP][data-network=COINSPH]";
    assert!(m.text(wallet).contains("Coins.ph wallet"));
    // Nothing typed, or nothing a contact can be: the payer is told, nothing is picked.
    for typed in ["", "juan", "09171234567"] {
        type_into(&m.get("#cw-contact"), typed);
        m.get(wallet).click();
        assert!(
            until(|| !m.text("#cw-contact-error").is_empty()).await,
            "{typed:?}"
        );
        assert_eq!(
            m.get("#cw-contact")
                .get_attribute("aria-invalid")
                .as_deref(),
            Some("true")
        );
    }
    assert_eq!(
        m.text("#cw-contact-error"),
        "Enter an email, a phone number starting with + and the country code, or a 32-character account ID."
    );
    assert_eq!(picked.get_untracked(), None);
    // Typing again clears the complaint; a phone number is sent in its normal form.
    type_into(&m.get("#cw-contact"), "+63 917 123 4567");
    assert!(until(|| m.text("#cw-contact-error").is_empty()).await);
    m.get(wallet).click();
    assert!(until(|| picked.get_untracked().is_some()).await);
    assert_eq!(
        picked.get_untracked(),
        Some(PickCurrencyRequest {
            currency: "PHP".into(),
            network: "COINSPH".into(),
            amount: None,
            payer_contact: Some("+639171234567".into()),
        })
    );
}

#[wasm_bindgen_test]
async fn a_payment_on_the_providers_page_is_a_button_not_an_address() {
    let c = with_page_payment(WaitingPayment);
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} on_requote=|_| {} /> });
    let link = m.get("a[part=payment-page]");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://coins.ph/payment/request/pr1")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener"));
    assert!(link.class_list().contains("button"));
    // The amount in pesos, formatted by the browser's Intl.
    assert_eq!(
        link.text_content().unwrap().trim(),
        "Pay ₱20.00 on Coins.ph"
    );
    assert!(m.text("[part=page-note]").contains("Coins.ph's page"));
    // No address, no QR code, no copy buttons, no network warning, no wallet link.
    for absent in [
        "[part=address]",
        "[part=warning]",
        "[part=wallet-link]",
        "svg",
        "canvas",
        "button.copy",
        "[part=quote-ended]",
    ] {
        assert!(
            m.query(absent).is_none(),
            "{absent}: {}",
            m.root.inner_html()
        );
    }
    // A page that is not https is never linked, and no address view stands in for it.
    let mut insecure = with_page_payment(WaitingPayment);
    insecure.payment.as_mut().unwrap().payment_url = Some("http://coins.ph/x".into());
    let m = mount(
        move || view! { <Pay checkout=insecure locale=EN on_back=|| {} on_requote=|_| {} /> },
    );
    assert!(m.query("a[part=payment-page]").is_none());
    assert!(m.query("[part=address]").is_none() && m.query("[part=warning]").is_none());
}

#[wasm_bindgen_test]
async fn the_demos_test_controls_show_only_for_a_demo_test_checkout_and_offer_what_fits() {
    use checkout_widget::components::session::Session;
    use checkout_widget::components::test_panel::test_panel;
    let session = Session::new(
        checkout_widget::api::Api::new("http://127.0.0.1:9"),
        support::document().body().unwrap(),
        None,
    );
    let actions = |c: protocol::CheckoutView| {
        let m = mount(move || test_panel(&c, session, EN));
        m.all(".test-panel button")
            .iter()
            .map(|b| b.get_attribute("data-action").unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let mut plain = checkout(New, None);
    plain.test = true;
    assert!(
        actions(plain.clone()).is_empty(),
        "no controls without testControls"
    );
    plain.test_controls = true;
    assert_eq!(actions(plain), ["EXPIRE"], "before a pick only the clock");
    let mut paying = with_payment(WaitingPayment, None, "10");
    paying.test_controls = true;
    assert_eq!(
        actions(paying.clone()),
        ["PAY_IN_FULL", "PAY_PART", "MINE_BLOCK", "EXPIRE"]
    );
    let mut paid = with_payment(Success, None, "99.462901");
    paid.test_controls = true;
    assert!(actions(paid).is_empty(), "nothing to do once final");
    let m = mount(move || test_panel(&paying, session, EN));
    assert_eq!(m.text(".test-panel summary"), "Test controls (demo)");
}

#[wasm_bindgen_test]
async fn suggested_amounts_fill_the_amount_field() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::SuggestedFixedPrice;
    c.amount_currency = Some("USD".into());
    c.suggested_amounts = vec![amount("25.00"), amount("50.00")];
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=|_| {} busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    let chips = m.all(".chips button");
    assert_eq!(chips.len(), 2);
    chips[1].click();
    assert!(
        until(|| m
            .get("#cw-amount")
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
            == "50.00")
        .await
    );
}

#[wasm_bindgen_test]
async fn pay_shows_the_grouped_address_qr_warning_countdown_and_a_way_back() {
    let c = with_payment(WaitingPayment, None, "0");
    assert_eq!(screen(&c, false), Screen::Pay);
    let back = RwSignal::new(false);
    let m = mount(
        move || view! { <Pay checkout=c locale=EN on_back=move || back.set(true) on_requote=|_| {} /> },
    );
    let groups: Vec<String> = m
        .all(".address .address-group")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(groups.len(), ADDRESS.len().div_ceil(4));
    assert!(groups.iter().all(|g| g.len() <= 4));
    assert_eq!(groups.concat(), ADDRESS, "the full address, in order");
    assert_eq!(
        m.get(".address").get_attribute("data-address").as_deref(),
        Some(ADDRESS)
    );
    assert_eq!(m.text(".pay .amount"), "99.462901 USDT");
    assert!(m.text(".fiat").contains("$100.00"), "{}", m.text(".fiat"));
    assert!(m.query(".qr svg path").is_some(), "an inline SVG QR code");
    assert_eq!(
        m.get(".qr svg").get_attribute("viewBox").as_deref(),
        Some("0 0 37 37"),
        "the server's 29-module matrix of the wallet URI, with its quiet zone"
    );
    assert_eq!(
        m.get(".qr").get_attribute("data-uri").as_deref(),
        Some(ADDRESS),
        "TRON's QR code is the plain address, as the server sends it"
    );
    assert_eq!(
        m.text(".warning"),
        "Send only USDT on the Tron (TRC\u{2011}20) network. Anything else will be lost.",
        "the network's name never breaks at its hyphen"
    );
    assert!(m.text(".countdown").starts_with("Amount guaranteed for "));
    assert!(
        m.query("a[part=wallet-link]").is_none(),
        "no TRON payment URI is shared by its wallets: no wallet link"
    );
    assert!(m.query("button[aria-label='Copy address']").is_some());
    assert!(m.query("button[aria-label='Copy amount']").is_some());
    m.get("button[part=back]").click();
    assert!(until(|| back.get_untracked()).await);
}

#[wasm_bindgen_test]
async fn pay_takes_the_address_away_when_the_quote_ends_and_offers_a_fresh_one() {
    let mut c = with_payment(WaitingPayment, None, "0");
    c.payment.as_mut().unwrap().rate_expires_at = "2001-01-01T00:00:00Z".into();
    let asked = RwSignal::new(None::<PickCurrencyRequest>);
    let m = mount(move || {
        view! {
            <Pay checkout=c locale=EN on_back=|| {}
                on_requote=move |r| asked.set(Some(r)) />
        }
    });
    let ended = m.get("[part=quote-ended]");
    assert!(!ended.has_attribute("hidden"), "the quote's end is said");
    assert_eq!(
        m.text("[part=quote-ended] p"),
        "The quoted amount is no longer guaranteed. Do not send to this address; get a new quote."
    );
    assert!(
        m.get(".pay-details").has_attribute("hidden"),
        "no address left on screen as if nothing happened"
    );
    m.get("button[part=requote]").click();
    assert!(until(|| asked.get_untracked().is_some()).await);
    let request = asked.get_untracked().unwrap();
    assert_eq!(
        (request.currency.as_str(), request.network.as_str()),
        ("USDT", "TRON")
    );
}

#[wasm_bindgen_test]
async fn pay_keeps_the_address_while_the_quote_holds_or_once_funds_arrived() {
    let running = with_payment(WaitingPayment, None, "0");
    let m =
        mount(move || view! { <Pay checkout=running locale=EN on_back=|| {} on_requote=|_| {} /> });
    assert!(m.get("[part=quote-ended]").has_attribute("hidden"));
    assert!(!m.get(".pay-details").has_attribute("hidden"));
    let mut paid = with_payment(WaitingPayment, None, "10");
    paid.payment.as_mut().unwrap().rate_expires_at = "2001-01-01T00:00:00Z".into();
    let m =
        mount(move || view! { <Pay checkout=paid locale=EN on_back=|| {} on_requote=|_| {} /> });
    assert!(
        m.get("[part=quote-ended]").has_attribute("hidden"),
        "funds sent: the payment goes on, whatever the clock says"
    );
}

#[wasm_bindgen_test]
async fn a_test_checkout_says_so_above_everything_else() {
    let mut c = checkout(New, None);
    c.test = true;
    let m = mount(move || view! { <Header checkout=c locale=EN /> });
    assert_eq!(
        m.text("[part=test-badge]"),
        "Test payment: test network, never send real funds"
    );
    let real = checkout(New, None);
    let m = mount(move || view! { <Header checkout=real locale=EN /> });
    assert!(m.query("[part=test-badge]").is_none());
}

#[wasm_bindgen_test]
async fn pay_offers_no_way_back_once_funds_arrived() {
    let c = with_payment(WaitingPayment, None, "10");
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} on_requote=|_| {} /> });
    assert!(m.query(".address").is_some());
    assert!(m.query("button[part=back]").is_none());
}

#[wasm_bindgen_test]
async fn processing_counts_confirmations() {
    let c = with_payment(PendingPayment, None, "99.462901");
    let m = mount(move || view! { <Processing checkout=c locale=EN /> });
    assert_eq!(m.text(".title"), "Payment detected");
    assert_eq!(m.text(".confirmations"), "1 of 3 confirmations");
    assert_eq!(m.text(".processing .amount"), "99.462901 USDT");
}

#[wasm_bindgen_test]
async fn success_links_back_to_the_merchant() {
    let c = with_payment(Success, None, "99.462901");
    let m = mount(
        move || view! { <Outcome checkout=c screen=Screen::Success locale=EN on_restart=|| {} /> },
    );
    assert_eq!(m.text(".title"), "Payment received. Thank you!");
    assert_eq!(
        m.get("a[part=return-link]")
            .get_attribute("href")
            .as_deref(),
        Some("https://shop.example/thanks")
    );
    assert!(m.query(".remaining").is_none());
}

#[wasm_bindgen_test]
async fn a_script_return_url_is_never_a_link() {
    let mut c = with_payment(Success, None, "99.462901");
    c.return_url = Some("javascript:alert(1)".into());
    let m = mount(
        move || view! { <Outcome checkout=c screen=Screen::Success locale=EN on_restart=|| {} /> },
    );
    assert!(m.query("a[part=return-link]").is_none());
}

#[wasm_bindgen_test]
async fn underpaid_shows_the_remainder_with_its_own_qr() {
    let c = with_payment(Conflict, Some(Exception::Underpaid), "50");
    let current = screen(&c, false);
    assert_eq!(current, Screen::Underpaid);
    let m =
        mount(move || view! { <Outcome checkout=c screen=current locale=EN on_restart=|| {} /> });
    assert_eq!(
        m.get(".outcome").get_attribute("data-screen").as_deref(),
        Some("underpaid")
    );
    assert_eq!(m.text(".remaining"), "49.462901 USDT");
    assert!(m
        .text(".outcome-body")
        .starts_with("49.462901 USDT is still due."));
    assert_eq!(
        m.get(".qr svg").get_attribute("viewBox").as_deref(),
        Some("0 0 33 33"),
        "the remainder's own matrix (25 modules), not the full amount's"
    );
    assert_eq!(
        m.get(".qr").get_attribute("data-uri").as_deref(),
        Some(ADDRESS)
    );
    assert_eq!(
        m.get(".address").get_attribute("data-address").as_deref(),
        Some(ADDRESS)
    );
    assert!(m.query("a[part=return-link]").is_none());
}

#[wasm_bindgen_test]
async fn each_other_outcome_says_what_happened_and_what_happens_next() {
    let cases = [
        (
            with_payment(Conflict, Some(Exception::Overpaid), "120"),
            "overpaid",
            "You sent more than required",
            Some("The merchant has been notified"),
        ),
        (
            with_payment(Conflict, Some(Exception::PaidLate), "99.462901"),
            "paid-late",
            "Payment arrived after the checkout expired",
            Some("Your payment was recorded."),
        ),
        (
            checkout(Expired, None),
            "expired",
            "This checkout has expired",
            Some("No payment was received in time."),
        ),
        (
            with_payment(Expired, None, "10"),
            "expired-partial",
            "This checkout has expired",
            Some("A partial payment was received"),
        ),
        (
            checkout(Cancelled, None),
            "cancelled",
            "This checkout was cancelled",
            None,
        ),
    ];
    for (c, name, title, body) in cases {
        let current = screen(&c, false);
        assert_eq!(current.name(), name);
        let m = mount(
            move || view! { <Outcome checkout=c screen=current locale=EN on_restart=|| {} /> },
        );
        assert_eq!(
            m.get(".outcome").get_attribute("data-screen").as_deref(),
            Some(name)
        );
        assert_eq!(m.text(".title"), title, "{name}");
        match body {
            Some(body) => assert!(m.text(".outcome-body").starts_with(body), "{name}"),
            None => assert!(m.query(".outcome-body").is_none(), "{name}"),
        }
        assert!(m.query(".remaining").is_none());
        assert_eq!(
            m.query("a[part=return-link]").is_some(),
            links_back(current),
            "{name}: the way back where the journey is over"
        );
    }
}

#[wasm_bindgen_test]
async fn the_header_names_the_checkout_and_its_price() {
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Header checkout=c locale=EN /> });
    assert_eq!(m.text(".name"), "Order 42");
    assert_eq!(m.text(".description"), "Two tickets");
    assert_eq!(m.text(".price-fiat"), "$100.00");
    assert_eq!(m.text(".price-crypto"), "99.462901 USDT");
}

#[wasm_bindgen_test]
async fn loading_shows_a_busy_skeleton() {
    let m = mount(|| view! { <Skeleton locale=EN /> });
    assert_eq!(
        m.get(".skeleton").get_attribute("aria-busy").as_deref(),
        Some("true")
    );
    assert_eq!(m.text(".skeleton .sr-only"), "Loading checkout…");
    assert_eq!(m.all(".skeleton > div").len(), 3);
}

#[wasm_bindgen_test]
async fn a_network_error_offers_a_retry_that_loads_again() {
    let retries = RwSignal::new(0);
    let m = mount(move || {
        view! { <Failure error=ApiError::Network locale=EN retry=move || retries.update(|n| *n += 1) /> }
    });
    assert_eq!(
        m.text(".error-message"),
        "We could not reach the payment server. Check your connection."
    );
    m.get(".error button").click();
    assert!(until(|| retries.get_untracked() == 1).await);
}

#[wasm_bindgen_test]
async fn a_refused_request_shows_the_servers_words_without_a_retry() {
    let error = ApiError::Server {
        status: 404,
        code: "not_found".into(),
        message: "checkout CCO-x not found".into(),
    };
    let m = mount(move || view! { <Failure error=error locale=EN retry=|| {} /> });
    assert_eq!(m.text(".error-message"), "checkout CCO-x not found");
    assert!(m.query(".error button").is_none());
    let server = ApiError::Server {
        status: 503,
        code: "unavailable".into(),
        message: "database is down".into(),
    };
    let m = mount(move || view! { <Failure error=server locale=EN retry=|| {} /> });
    assert_eq!(
        m.text(".error-message"),
        "The payment server could not complete the request.",
        "a 5xx never shows internals"
    );
    assert!(m.query(".error button").is_some());
}

#[wasm_bindgen_test]
async fn a_provider_refusal_is_explained_without_a_retry_that_would_only_repeat_it() {
    let refused = ApiError::Server {
        status: 502,
        code: "provider_refused".into(),
        message: "the payment provider declined to open this payment".into(),
    };
    let m = mount(move || view! { <Failure error=refused locale=EN retry=|| {} /> });
    assert_eq!(
        m.text(".error-message"),
        "The payment provider declined to open this payment. Choose another currency or contact \
         the merchant."
    );
    assert!(m.query(".error button").is_none());
    let unavailable = ApiError::Server {
        status: 502,
        code: "provider_unavailable".into(),
        message: "the payment provider could not be reached; try again".into(),
    };
    let m = mount(move || view! { <Failure error=unavailable locale=EN retry=|| {} /> });
    assert!(
        m.query(".error button").is_some(),
        "an outage can be retried"
    );
}

/// Replaces `navigator.clipboard` for one test; `None` removes it (an insecure page).
fn stub_clipboard(present: bool) {
    js(if present {
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', { configurable: true,
           value: { writeText: (t) => { window.__copied.push('clipboard:' + t); return Promise.resolve(); } } });"
    } else {
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined });
         document.execCommand = (command) => {
           const selected = document.activeElement && document.activeElement.value;
           const buffer = [...document.querySelectorAll('textarea.copy-buffer')];
           window.__copied.push(command + ':' + (buffer.length ? buffer[0].value : selected));
           return true;
         };"
    });
}

fn copied() -> Vec<String> {
    js_sys::Array::from(&js("return window.__copied"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn copy_buttons_copy_the_canonical_value_and_confirm() {
    stub_clipboard(true);
    let m = mount(
        || view! { <CopyButton value="1234.500000".to_string() label="Copy amount" locale=EN /> },
    );
    let button = m.get("button.copy");
    assert_eq!(button.text_content().unwrap(), "Copy");
    button.click();
    assert!(until(|| button.text_content().unwrap() == "Copied").await);
    assert_eq!(button.get_attribute("data-copied").as_deref(), Some("true"));
    assert_eq!(copied(), ["clipboard:1234.500000"]);
    // The confirmation goes away so a second copy is confirmed too.
    assert!(
        until(|| button.text_content().unwrap() == "Copy").await || {
            sleep(1_000).await;
            button.text_content().unwrap() == "Copy"
        }
    );
}

#[wasm_bindgen_test]
async fn without_the_clipboard_api_copying_falls_back_to_a_selection() {
    stub_clipboard(false);
    let m =
        mount(|| view! { <CopyButton value=ADDRESS.to_string() label="Copy address" locale=EN /> });
    let button = m.get("button[aria-label='Copy address']");
    button.click();
    assert!(until(|| button.text_content().unwrap() == "Copied").await);
    assert_eq!(copied(), [format!("copy:{ADDRESS}")]);
    assert!(
        m.query("textarea.copy-buffer").is_none(),
        "the buffer is removed"
    );
}

#[wasm_bindgen_test]
async fn tapping_the_qr_code_copies_the_wallet_uri() {
    stub_clipboard(true);
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} on_requote=|_| {} /> });
    m.get("button.qr").click();
    assert!(until(|| m.text(".qr-caption") == "Copied").await);
    assert_eq!(copied(), [format!("clipboard:{ADDRESS}")]);
}

// ---- Looks finished (issue 15): icons, layout, amount entry, right to left ----

use checkout_widget::components::icons::{Status, StatusIcon};
use checkout_widget::format;

fn no_price(min: &str, max: &str) -> protocol::CheckoutView {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::NoPrice;
    c.price = None;
    c.amount_currency = Some("USD".into());
    c.min_amount = Some(amount(min));
    c.max_amount = Some(amount(max));
    c
}

fn press_enter(input: &web_sys::HtmlElement) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn every_coin_is_listed_whole_with_its_icon_and_network_badge() {
    let page = page_box("width: 360px");
    let c = checkout(New, None);
    let header = c.clone();
    let m = mount_styled(&page, "light", move || {
        view! {
            <Header checkout=header locale=EN />
            <Choose checkout=c locale=EN on_pick=|_| {} busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    let list = m.get(".currencies");
    assert_eq!(
        computed(&list, "overflow-y"),
        "visible",
        "not a scroll area"
    );
    assert_eq!(
        list.scroll_height(),
        list.client_height(),
        "nothing clipped"
    );
    let buttons = m.all("button.currency");
    assert_eq!(buttons.len(), 7);
    let (_, list_top, _, list_height) = rect(&list);
    let (_, top, _, height) = rect(&buttons[6]);
    assert!(
        top + height <= list_top + list_height + 0.5,
        "the seventh coin is whole"
    );
    for button in &buttons {
        let icon = button
            .query_selector(".coin-icon svg use")
            .unwrap()
            .unwrap();
        let href = icon.get_attribute("href").unwrap();
        assert!(m.query(&href).is_some(), "{href} is in the sprite");
        let (_, _, w, h) = rect(&button.query_selector(".coin-icon").unwrap().unwrap());
        assert_eq!((w, h), (28.0, 28.0));
    }
    let usdt_tron = m.get("button.currency[data-currency=USDT][data-network=TRON]");
    let badge = usdt_tron.query_selector(".network-icon").unwrap().unwrap();
    assert_eq!(badge.get_attribute("data-mark").as_deref(), Some("trx"));
    let btc = m.get("button.currency[data-currency=BTC]");
    assert!(
        btc.query_selector(".network-icon").unwrap().is_none(),
        "a coin on its own chain"
    );
    assert_eq!(m.all("svg.sprite").len(), 1, "one sprite");
    // "TRC-20" stays on one line.
    let network = usdt_tron.query_selector(".network").unwrap().unwrap();
    assert_eq!(computed(&network, "white-space"), "nowrap");
    drop(m);
    page.remove();
}

#[wasm_bindgen_test]
async fn the_payment_shows_its_coin_and_outcomes_a_real_icon() {
    let page = page_box("width: 392px");
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount_styled(&page, "light", move || {
        view! {
            <Header checkout=c locale=EN />
            <StatusIcon status=Status::Success />
            <StatusIcon status=Status::Attention />
            <StatusIcon status=Status::Expired />
        }
    });
    let coin = m.get(".price-crypto .coin-icon");
    assert_eq!(coin.get_attribute("data-mark").as_deref(), Some("usdt"));
    let icons = m.all("svg.status-icon");
    let marks: Vec<String> = icons
        .iter()
        .map(|i| {
            i.query_selector("use")
                .unwrap()
                .unwrap()
                .get_attribute("href")
                .unwrap()
        })
        .collect();
    assert_eq!(marks, ["#cw-ok", "#cw-warn", "#cw-clock"]);
    for (icon, mark) in icons.iter().zip(&marks) {
        assert!(m.query(&format!("symbol{mark}")).is_some(), "{mark}");
        assert_eq!(rect(icon).2, 44.0);
        assert_eq!(computed(icon, "fill"), "none", "drawn with a stroke");
    }
    let ok = computed(&icons[0], "color");
    assert_eq!(ok, "rgb(20, 108, 46)", "success is green");
    assert_ne!(computed(&icons[1], "color"), ok);
    drop(m);
    page.remove();
}

/// The event-log example's layout at 360px: a one-column grid in a padded page, and a flex row.
#[wasm_bindgen_test]
async fn the_element_never_overflows_a_narrow_grid_or_flex_container() {
    for layout in [
        "width: 360px; padding: 24px 16px; box-sizing: border-box; display: grid; grid-template-columns: 1fr",
        "width: 360px; padding: 24px 16px; box-sizing: border-box; display: flex",
    ] {
        let page = page_box(layout);
        let section = support::document().create_element("section").unwrap();
        page.append_child(&section).unwrap();
        let c = with_payment(WaitingPayment, None, "0");
        let header = c.clone();
        let m = mount_styled(&section, "light", move || {
            view! {
                <Header checkout=header locale=EN />
                <Pay checkout=c locale=EN on_back=|| {} on_requote=|_| {} />
            }
        });
        sleep(20).await;
        let host = m.host.clone().unwrap();
        let width = rect(&host).2;
        assert!(width <= 328.0, "{layout}: {width}px in a 328px column");
        assert!(width >= 300.0, "{layout}: it still uses the room ({width}px)");
        assert!(page.scroll_width() <= page.client_width(), "{layout}: page overflows");
        assert!(m.root.scroll_width() <= m.root.client_width(), "{layout}: widget overflows");
        drop(m);
        page.remove();
    }
    let wide = page_box("width: 1000px; display: flex");
    let m = mount_styled(
        &wide,
        "light",
        || view! { <Header checkout=checkout(New, None) locale=EN /> },
    );
    assert_eq!(
        rect(&m.host.clone().unwrap()).2,
        392.0,
        "392px where there is room"
    );
    drop(m);
    wide.remove();
}

#[wasm_bindgen_test]
async fn long_merchant_text_is_clamped_with_the_whole_text_at_hand() {
    let page = page_box("width: 360px");
    let mut c = checkout(New, None);
    c.name = "A very long checkout name ".repeat(8);
    c.description = Some("A description that goes on and on. ".repeat(12));
    let (name, description) = (c.name.clone(), c.description.clone().unwrap());
    let m = mount_styled(
        &page,
        "light",
        move || view! { <Header checkout=c locale=EN /> },
    );
    let (title, text) = (m.get(".name"), m.get(".description"));
    assert_eq!(title.get_attribute("title").as_deref(), Some(name.as_str()));
    assert_eq!(
        text.get_attribute("title").as_deref(),
        Some(description.as_str())
    );
    let line = |el: &web_sys::HtmlElement| {
        computed(el, "line-height")
            .trim_end_matches("px")
            .parse::<f64>()
            .unwrap()
    };
    assert!(
        rect(&title).3 <= 2.0 * line(&title) + 1.0,
        "the name is two lines at most"
    );
    let clamped = rect(&text).3;
    assert!(
        clamped <= 3.0 * line(&text) + 1.0,
        "the description is three lines at most"
    );
    text.focus().unwrap();
    assert!(
        until(|| rect(&text).3 > clamped + 10.0).await,
        "a tap shows all of it"
    );
    drop(m);
    page.remove();
}

#[wasm_bindgen_test]
async fn merchant_text_keeps_its_own_direction_and_loses_bidi_controls() {
    let mut c = checkout(New, None);
    c.name = "Order \u{202e}42\u{202c}".into();
    c.description = Some("\u{2067}متجر\u{2069} tickets".into());
    let m = mount(move || view! { <Header checkout=c locale=Locale::Ar /> });
    assert_eq!(m.text(".name"), "Order 42");
    assert_eq!(m.text(".description"), "متجر tickets");
    assert_eq!(m.get(".name").get_attribute("dir").as_deref(), Some("auto"));
    assert_eq!(
        m.get(".description").get_attribute("dir").as_deref(),
        Some("auto")
    );
}

#[wasm_bindgen_test]
async fn a_logo_that_does_not_load_is_hidden() {
    let mut c = checkout(New, None);
    c.logo_url = Some("http://127.0.0.1:9/logo.png".into());
    let m = mount(move || view! { <Header checkout=c locale=EN /> });
    assert!(m.query("img.logo").is_some());
    let mut hidden = false;
    for _ in 0..100 {
        if m.get("img.logo").has_attribute("hidden") {
            hidden = true;
            break;
        }
        sleep(30).await;
    }
    assert!(hidden, "no broken-image box");
}

#[wasm_bindgen_test]
async fn the_qr_code_is_centred_in_its_frame_and_the_view() {
    let page = page_box("width: 392px");
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount_styled(
        &page,
        "light",
        move || view! { <Pay checkout=c locale=EN on_back=|| {} on_requote=|_| {} /> },
    );
    let centre = |el: &web_sys::Element| {
        let (left, top, width, height) = rect(el);
        (left + width / 2.0, top + height / 2.0)
    };
    let (frame, code, view) = (m.get(".qr-image"), m.get(".qr svg"), m.get(".pay"));
    let (fx, fy) = centre(&frame);
    let (cx, cy) = centre(&code);
    assert!(
        (fx - cx).abs() < 1.0 && (fy - cy).abs() < 1.0,
        "code in the middle of its frame"
    );
    assert!(
        (fx - centre(&view).0).abs() < 1.0,
        "frame in the middle of the view"
    );
    assert!(
        rect(&frame).2 < rect(&view).2 / 1.2,
        "the frame is as wide as the code"
    );
    drop(m);
    page.remove();
}

/// The relative luminance of `#rrggbb` (WCAG).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim().trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[wasm_bindgen_test]
async fn the_dark_examples_accent_stands_out_on_the_dark_widget() {
    let style = support::document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../examples/dark.css")));
    support::document()
        .head()
        .unwrap()
        .append_child(&style)
        .unwrap();
    let page = page_box("width: 392px");
    let m = mount_styled(
        &page,
        "dark",
        || view! { <Header checkout=checkout(New, None) locale=EN /> },
    );
    let accent = computed(&m.root, "--cw-accent");
    let text = computed(&m.root, "--cw-accent-text");
    let background = computed(&m.root, "--cw-bg");
    assert_ne!(accent, "#2457d6", "the page's accent reaches the widget");
    // Clearly, not just the 3:1 minimum for controls (the old violet was 3.1:1 and read as
    // absent on the dark widget).
    assert!(
        contrast(&accent, &background) >= 4.5,
        "{accent} on {background}"
    );
    assert!(contrast(&text, &accent) >= 4.5, "{text} on {accent}");
    drop(m);
    page.remove();
    style.remove();
}

#[wasm_bindgen_test]
async fn the_limits_show_before_any_error_and_a_comma_is_a_decimal_point() {
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let c = no_price("10.00", "1000.00");
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r)) busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    assert_eq!(m.text("#cw-amount-hint"), "From 10.00 to 1,000.00");
    assert!(m.text("#cw-amount-error").is_empty(), "no complaint yet");
    assert_eq!(
        m.get("#cw-amount")
            .get_attribute("aria-describedby")
            .as_deref(),
        Some("cw-amount-hint cw-amount-error")
    );
    type_into(&m.get("#cw-amount"), &"9".repeat(60));
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| m.text("#cw-amount-error") == "The maximum is 1,000.00.").await);
    type_into(&m.get("#cw-amount"), "50,5");
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| picked.get_untracked().is_some()).await);
    assert_eq!(
        picked.get_untracked().unwrap().amount,
        Some(amount("50.5")),
        "not 505"
    );
}

#[wasm_bindgen_test]
async fn enter_checks_the_amount_then_picks_the_only_coin_or_moves_to_the_list() {
    // Several coins: Enter checks, then focus moves to the first one; nothing is picked.
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let c = no_price("10.00", "1000.00");
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r)) busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    let input = m.get("#cw-amount");
    input.focus().unwrap();
    type_into(&input, "5");
    press_enter(&input);
    assert!(until(|| m.text("#cw-amount-error") == "The minimum is 10.00.").await);
    assert_eq!(
        support::document().active_element().as_ref(),
        Some(input.as_ref()),
        "focus stays"
    );
    type_into(&input, "25");
    press_enter(&input);
    let first = m.all("button.currency")[0].clone();
    assert!(until(|| support::document().active_element().as_ref() == Some(first.as_ref())).await);
    assert!(
        picked.get_untracked().is_none(),
        "the payer still picks the coin"
    );
    drop(m);

    // One coin: Enter picks it.
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let mut c = no_price("10.00", "1000.00");
    c.currencies.truncate(1);
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r)) busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    let input = m.get("#cw-amount");
    type_into(&input, "25");
    press_enter(&input);
    assert!(until(|| picked.get_untracked().is_some()).await);
    let request = picked.get_untracked().unwrap();
    assert_eq!(
        (request.currency.as_str(), request.amount),
        ("USDT", Some(amount("25")))
    );
}

/// Where each of `chars` is drawn, left to right on screen, inside `el`'s text.
fn positions(el: &web_sys::Element, chars: &[char]) -> Vec<f64> {
    js_sys::Reflect::set(&js_sys::global(), &"__probe".into(), el).unwrap();
    let wanted: String = chars.iter().collect();
    js_sys::Reflect::set(&js_sys::global(), &"__wanted".into(), &wanted.into()).unwrap();
    let lefts = js("const node = window.__probe.firstChild, text = node.data;
        return [...window.__wanted].map((c) => {
          const i = text.indexOf(c), range = document.createRange();
          range.setStart(node, i); range.setEnd(node, i + c.length);
          return range.getBoundingClientRect().left;
        });");
    js_sys::Array::from(&lefts)
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn arabic_money_reads_in_its_own_order_isolated_from_the_sentence() {
    let shown = format::money("ar", &amount("25.00"), "USD");
    assert!(
        shown.starts_with('\u{2067}') && shown.ends_with('\u{2069}'),
        "{shown:?}"
    );
    assert!(shown.contains("\u{2066}US$\u{2069}"), "{shown:?}");
    assert_eq!(
        format::money("en", &amount("25.00"), "USD"),
        "$25.00",
        "no marks in English"
    );
    let m = mount(
        move || view! { <p dir="rtl" style="font-size: 20px">{format!("المبلغ {shown} فقط")}</p> },
    );
    let p = m.get("p");
    let at = positions(&p, &['U', 'S', '$', '2', '5']);
    let (u, s, dollar, two, five) = (at[0], at[1], at[2], at[3], at[4]);
    assert!(u < s && s < dollar, "US$ keeps its order: {at:?}");
    assert!(
        dollar < two && two < five,
        "the number to the right of the symbol: {at:?}"
    );
    // The coin code stays beside its amount too.
    let coin = format::money("ar", &amount("99.462901"), "USDT");
    assert!(
        coin.starts_with('\u{2067}') && coin.ends_with('\u{2069}'),
        "{coin:?}"
    );
}

/// An RFC 3339 time `seconds` from now, by the page's clock.
fn in_seconds(seconds: i32) -> String {
    js(&format!(
        "return new Date(Date.now() + {seconds} * 1000).toISOString();"
    ))
    .as_string()
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_short_payment_says_so_and_what_is_due_from_the_first_sighting() {
    let short = with_payment(PendingPayment, None, "50");
    let m = mount(move || view! { <Processing checkout=short locale=EN /> });
    assert_eq!(m.text(".title"), "Payment detected");
    assert_eq!(
        m.text("[part=short]"),
        "This is less than the amount due: 49.462901 USDT is still to pay."
    );
    let seen_waiting = with_payment(WaitingPayment, None, "50");
    let m = mount(
        move || view! { <Pay checkout=seen_waiting locale=EN on_back=|| {} on_requote=|_| {} /> },
    );
    assert!(m
        .text("[part=short]")
        .contains("49.462901 USDT is still to pay"));
    assert_eq!(
        m.text("[part=amount]"),
        "49.462901 USDT",
        "the amount to send is the rest, never the whole again"
    );
    // The QR code and the wallet link ask for the rest too.
    let mut btc = with_bitcoin_payment(WaitingPayment);
    let rest = format!("bitcoin:{BTC_ADDRESS}?amount=0.001");
    if let Some(p) = btc.payment.as_mut() {
        p.amount_paid = amount("0.00050000");
        p.amount_remaining = amount("0.00100000");
        p.remaining_wallet_uri = Some(rest.clone());
        p.remaining_wallet_qr = Some(qr_pattern(25));
    }
    let m = mount(move || view! { <Pay checkout=btc locale=EN on_back=|| {} on_requote=|_| {} /> });
    assert_eq!(
        m.get("a[part=wallet-link]").get_attribute("href"),
        Some(rest.clone())
    );
    assert_eq!(m.get(".qr").get_attribute("data-uri"), Some(rest));
    let full = with_payment(PendingPayment, None, "99.462901");
    let m = mount(move || view! { <Processing checkout=full locale=EN /> });
    assert!(
        m.query("[part=short]").is_none(),
        "nothing short, nothing said"
    );
}

#[wasm_bindgen_test]
async fn the_countdown_is_of_whichever_ends_first_and_says_what_then() {
    let quote_first = with_payment(WaitingPayment, None, "0");
    let m = mount(
        move || view! { <Pay checkout=quote_first locale=EN on_back=|| {} on_requote=|_| {} /> },
    );
    assert!(m.text(".countdown").starts_with("Amount guaranteed for "));
    assert_eq!(
        m.text(".countdown-then"),
        "After that, get a new quote before sending."
    );

    let mut closing = with_payment(WaitingPayment, None, "0");
    closing.expires_at = in_seconds(5);
    let m =
        mount(move || view! { <Pay checkout=closing locale=EN on_back=|| {} on_requote=|_| {} /> });
    let said = m.text(".countdown");
    assert!(
        said.starts_with("This checkout closes in 00:0")
            && said.ends_with("Anything sent later needs the merchant's review."),
        "{said}"
    );
    assert!(
        m.query(".countdown-then").is_none(),
        "no new quote to promise"
    );
}

#[wasm_bindgen_test]
async fn a_conflict_without_an_exception_is_in_the_merchants_hands() {
    let c = with_payment(Conflict, None, "99.462901");
    let current = screen(&c, false);
    assert_eq!(current, Screen::Review);
    let m =
        mount(move || view! { <Outcome checkout=c screen=current locale=EN on_restart=|| {} /> });
    assert_eq!(m.text(".title"), "This payment needs the merchant's review");
    assert_eq!(
        m.text(".outcome-body"),
        "The merchant has been notified and will review it. If you contact them, quote the \
         reference CCO-1."
    );
    assert!(!m
        .root
        .text_content()
        .unwrap()
        .contains("more than required"));
    assert_eq!(
        m.get(".support a").get_attribute("href").as_deref(),
        Some("https://shop.example/help")
    );
    let mut no_support = with_payment(Conflict, None, "99.462901");
    no_support.support_url = None;
    let m = mount(
        move || view! { <Outcome checkout=no_support screen=current locale=EN on_restart=|| {} /> },
    );
    assert!(m.query(".support").is_none());
    assert!(
        m.text(".outcome-body").contains("CCO-1"),
        "the reference to quote"
    );
}

#[wasm_bindgen_test]
async fn the_rest_of_an_underpaid_payment_is_paid_like_the_payment() {
    let mut c = with_payment(Conflict, Some(Exception::Underpaid), "50");
    c.expires_at = in_seconds(600);
    let m = mount(
        move || view! { <Outcome checkout=c screen=Screen::Underpaid locale=EN on_restart=|| {} /> },
    );
    assert_eq!(m.text("#cw-amount-label"), "Send exactly");
    assert_eq!(m.text("#cw-address-label"), "To this address");
    assert_eq!(m.text(".amount.remaining"), "49.462901 USDT");
    let groups: Vec<String> = m
        .all(".address .address-group")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(groups.concat(), ADDRESS, "grouped, in order");
    assert!(groups.len() > 1);
    assert!(
        m.query("a[part=wallet-link]").is_none(),
        "TRON has no wallet link, for the rest either"
    );
    assert!(m.query("button[aria-label='Copy address']").is_some());
    assert!(m.query("button[aria-label='Copy amount']").is_some());
    assert!(m
        .text(".warning")
        .starts_with("Send only USDT on the Tron (TRC\u{2011}20) network"));
    let said = m.text(".countdown");
    assert!(
        said.starts_with("This checkout closes in 09:") || said.contains("10:00"),
        "{said}"
    );

    // A coin with a wallet link: the wallet is asked for the rest, not the whole.
    let mut btc = with_bitcoin_payment(Conflict);
    btc.exception = Some(Exception::Underpaid);
    let rest = format!("bitcoin:{BTC_ADDRESS}?amount=0.00075");
    if let Some(p) = btc.payment.as_mut() {
        p.amount_paid = amount("0.00075000");
        p.amount_remaining = amount("0.00075000");
        p.remaining_wallet_uri = Some(rest.clone());
    }
    let m = mount(
        move || view! { <Outcome checkout=btc screen=Screen::Underpaid locale=EN on_restart=|| {} /> },
    );
    assert_eq!(
        m.get("a[part=wallet-link]").get_attribute("href"),
        Some(rest),
        "the wallet is asked for the rest"
    );
}

#[wasm_bindgen_test]
async fn an_expired_checkout_links_back_and_says_whether_it_can_start_again() {
    let restarted = RwSignal::new(0);
    let by_key = checkout(Expired, None);
    let m = mount(move || {
        view! {
            <Outcome checkout=by_key screen=Screen::Expired { partial: false } locale=EN
                can_restart=true on_restart=move || restarted.update(|n| *n += 1) />
        }
    });
    assert_eq!(m.text("[part=start-again]"), "Start a new checkout");
    assert_eq!(
        m.get("a[part=return-link]")
            .get_attribute("href")
            .as_deref(),
        Some("https://shop.example/thanks")
    );
    m.get("[part=start-again]").click();
    assert!(until(|| restarted.get_untracked() == 1).await);

    let by_id = checkout(Expired, None);
    let m = mount(move || {
        view! { <Outcome checkout=by_id screen=Screen::Expired { partial: false } locale=EN on_restart=|| {} /> }
    });
    assert!(m.query("[part=start-again]").is_none());
    assert_eq!(
        m.text("[part=no-restart]"),
        "This checkout cannot be reopened. To pay, start again from the merchant's page."
    );

    let late = with_payment(Conflict, Some(Exception::PaidLate), "99.462901");
    let m = mount(
        move || view! { <Outcome checkout=late screen=Screen::PaidLate locale=EN on_restart=|| {} /> },
    );
    assert!(m.query("a[part=return-link]").is_some());
    assert!(
        m.query("[part=start-again]").is_none() && m.query("[part=no-restart]").is_none(),
        "paid late: a fresh start would only risk paying twice"
    );
}
