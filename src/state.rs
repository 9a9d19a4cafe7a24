//! What the widget shows and when it refreshes, decided without a browser: plain Rust, tested
//! natively. Components only render what these functions decide.

use protocol::{
    Amount, AmountError, CheckoutStatus, CheckoutType, CheckoutView, Exception, PaymentView,
    PickCurrencyRequest, StatusChangedDetail,
};

use crate::server_url::attribute_value;

/// Where a checkout comes from: a checkout id, or a reusable widget key that opens a fresh
/// checkout for every payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Checkout(String),
    WidgetKey(String),
}

impl Source {
    /// Reads the element's attributes. A `widget-key` wins: a merchant's stray `id` (say, for
    /// styling) must never turn a payment link into a lookup of a checkout that does not exist.
    /// Blank values count as absent.
    pub fn from_attributes(id: Option<&str>, widget_key: Option<&str>) -> Option<Source> {
        let clean = |v: Option<&str>| attribute_value(v).map(String::from);
        match (clean(id), clean(widget_key)) {
            (_, Some(key)) => Some(Source::WidgetKey(key)),
            (Some(id), None) => Some(Source::Checkout(id)),
            (None, None) => None,
        }
    }
}

/// The view the payer sees for a checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Pick a coin and network (and an amount when the checkout asks for one).
    Choose,
    /// Send this amount to this address.
    Pay,
    /// Funds seen; confirming.
    Processing,
    Success,
    /// Part paid; the rest is still due.
    Underpaid,
    /// More than due arrived; the merchant will settle the difference.
    Overpaid,
    /// Funds arrived after expiry; the merchant will review them.
    PaidLate,
    /// A conflict the widget has no words for (a provider declined, an intervention, a conflict
    /// with the full amount paid): only the merchant can say what happens, so the payer is told
    /// that and how to reach them, never a guess such as "you sent too much".
    Review,
    /// Time ran out; `partial` when something had been paid.
    Expired {
        partial: bool,
    },
    Cancelled,
}

impl Screen {
    /// A stable name, exposed as `data-screen` for styling and tests.
    pub const fn name(self) -> &'static str {
        match self {
            Screen::Choose => "choose",
            Screen::Pay => "pay",
            Screen::Processing => "processing",
            Screen::Success => "success",
            Screen::Underpaid => "underpaid",
            Screen::Overpaid => "overpaid",
            Screen::PaidLate => "paid-late",
            Screen::Review => "review",
            Screen::Expired { partial: false } => "expired",
            Screen::Expired { partial: true } => "expired-partial",
            Screen::Cancelled => "cancelled",
        }
    }
}

/// Decides the screen. `choosing` is the payer's wish to pick another currency, honoured only
/// while nothing has been paid.
pub fn screen(checkout: &CheckoutView, choosing: bool) -> Screen {
    let paid = has_funds(checkout);
    match checkout.status {
        CheckoutStatus::New => Screen::Choose,
        CheckoutStatus::WaitingPayment if checkout.payment.is_none() => Screen::Choose,
        CheckoutStatus::WaitingPayment if choosing && !paid => Screen::Choose,
        CheckoutStatus::WaitingPayment => Screen::Pay,
        CheckoutStatus::PendingPayment => Screen::Processing,
        CheckoutStatus::Success => Screen::Success,
        CheckoutStatus::Conflict => match checkout.exception {
            Some(Exception::Underpaid) => Screen::Underpaid,
            Some(Exception::PaidLate) => Screen::PaidLate,
            Some(Exception::Overpaid) => Screen::Overpaid,
            None => Screen::Review,
        },
        CheckoutStatus::Expired => Screen::Expired { partial: paid },
        CheckoutStatus::Cancelled => Screen::Cancelled,
    }
}

/// True once any amount has arrived for the active payment.
pub fn has_funds(checkout: &CheckoutView) -> bool {
    checkout
        .payment
        .as_ref()
        .is_some_and(|p| !p.amount_paid.is_zero())
}

/// How much is still due when funds have been seen but fall short: said from the first sighting
/// (while they confirm), not only once the checkout is marked underpaid.
pub fn short_by(checkout: &CheckoutView) -> Option<Amount> {
    let payment = checkout.payment.as_ref()?;
    (!payment.amount_paid.is_zero() && !payment.amount_remaining.is_zero())
        .then_some(payment.amount_remaining)
}

/// Which end the payer must be told of: the quote's (the amount stops holding) or the
/// checkout's (nothing more can be paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    Quote,
    Checkout,
}

/// Whichever ends first, from the seconds left on each (`None`: no quote to count down). A tie
/// is the checkout's: its end is the one that matters more.
pub fn first_deadline(quote_left: Option<i64>, checkout_left: i64) -> Deadline {
    match quote_left {
        Some(quote) if quote < checkout_left => Deadline::Quote,
        _ => Deadline::Checkout,
    }
}

/// Outcomes that send the payer back to the merchant when the merchant gave a return link: the
/// journey is over for them (paid, expired, or in the merchant's hands after a late payment).
pub fn links_back(screen: Screen) -> bool {
    matches!(
        screen,
        Screen::Success | Screen::PaidLate | Screen::Expired { .. }
    )
}

/// Focus moves to the new view's heading only when one view gives way to another: never on
/// the first view of the page (`before` is `None`), which the payer did not ask for.
pub fn moves_focus(before: Option<&str>, now: &str) -> bool {
    now != "loading" && before.is_some_and(|before| before != now)
}

/// The payer may go back to the currency list only while nothing has been paid.
pub fn can_choose_again(checkout: &CheckoutView) -> bool {
    checkout.status == CheckoutStatus::WaitingPayment && !has_funds(checkout)
}

/// The pick that asks for a fresh quote of the payment's coin (with the payer's amount again),
/// when its quote may end with nothing paid; `None` when there is nothing to re-quote.
pub fn requote_request(checkout: &CheckoutView) -> Option<PickCurrencyRequest> {
    let payment = checkout.payment.as_ref()?;
    // A provider's page holds its amount until the checkout ends: nothing to re-quote.
    if !can_choose_again(checkout) || payment.payment_url.is_some() {
        return None;
    }
    // The payer's own amount: the fiat they entered, or the coin amount itself.
    let amount = match checkout.checkout_type {
        CheckoutType::FixedPrice => None,
        _ => Some(payment.fiat.as_ref().map_or(payment.amount, |f| f.amount)),
    };
    Some(PickCurrencyRequest {
        currency: payment.currency.clone(),
        network: payment.network.clone(),
        amount,
        payer_contact: None,
    })
}

/// The provider's payment page, when the payment is made there (Coins.ph) and the link is
/// `https`: the only kind of page a payer is sent to, whatever a server says.
pub fn payment_page(payment: &PaymentView) -> Option<&str> {
    payment
        .payment_url
        .as_deref()
        .filter(|url| url.starts_with("https://") && url.len() > "https://".len())
}

/// How often to ask the server when no live stream is delivering (milliseconds), or `None` when
/// nothing can change any more. Fast while the payer is about to pay, slower while blocks
/// confirm, slow while the merchant decides.
pub fn poll_interval_ms(status: CheckoutStatus) -> Option<u32> {
    match status {
        CheckoutStatus::New | CheckoutStatus::WaitingPayment => Some(2_000),
        CheckoutStatus::PendingPayment => Some(5_000),
        CheckoutStatus::Conflict | CheckoutStatus::Expired => Some(10_000),
        CheckoutStatus::Success | CheckoutStatus::Cancelled => None,
    }
}

/// Delay before retry number `failures` (1-based) after errors: doubling from 1 s, capped at
/// 30 s.
pub fn backoff_ms(failures: u32) -> u32 {
    let exp = failures.saturating_sub(1).min(5);
    (1_000u32 << exp).min(30_000)
}

/// Remembers what the host page was last told, so `statusChanged` fires once per actual change
/// of status or exception and never for a refresh that changed nothing.
#[derive(Debug, Default)]
pub struct StatusTracker {
    last: Option<(CheckoutStatus, Option<Exception>)>,
}

impl StatusTracker {
    /// The event detail to dispatch for `checkout`, if its status or exception differs from the
    /// last one reported.
    pub fn observe(&mut self, checkout: &CheckoutView) -> Option<StatusChangedDetail> {
        let now = (checkout.status, checkout.exception);
        if self.last == Some(now) {
            return None;
        }
        let previous = self.last.map(|(status, _)| status);
        self.last = Some(now);
        Some(StatusChangedDetail::from_view(checkout, previous))
    }
}

/// Keeps the newest of two descriptions of the same checkout: the stream, polls and resyncs can
/// answer out of order, and an older answer must never undo a newer one.
pub fn is_newer(current: Option<&CheckoutView>, candidate: &CheckoutView) -> bool {
    match current {
        None => true,
        Some(current) => candidate.id != current.id || candidate.version > current.version,
    }
}

/// Why a typed amount is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountInputError {
    Empty,
    NotANumber,
    TooPrecise { decimals: u8 },
    BelowMinimum(Amount),
    AboveMaximum(Amount),
    Zero,
}

/// Parses what a payer typed in their locale (`1.234,56` in German, `1,234.56` in English,
/// Arabic-Indic digits in Arabic) and checks it against the checkout's limits. `decimal` and
/// `group` are the locale's separators.
///
/// A payer may not write the widget's locale: a German reading an English page types `50,5`,
/// which is 50.5 on every page, never 505 (see [`decimal_point`]). A number too long for any
/// amount is above the maximum, and the payer is told the maximum.
pub fn parse_amount_input(
    input: &str,
    decimal: char,
    group: char,
    max_decimals: u8,
    min: Option<Amount>,
    max: Option<Amount>,
) -> Result<Amount, AmountInputError> {
    let mut plain = plain_decimal(input, decimal, group)?;
    if plain.is_empty() {
        return Err(AmountInputError::Empty);
    }
    // A payer writing "5." or ".5" means what they wrote.
    if plain.ends_with('.') {
        plain.pop();
    }
    if plain.starts_with('.') {
        plain.insert(0, '0');
    }
    let amount = Amount::parse(&plain).map_err(|e| match e {
        // Longer than any amount can be: the payer is told the largest they may pay.
        AmountError::TooLarge => {
            max.map_or(AmountInputError::NotANumber, AmountInputError::AboveMaximum)
        }
        AmountError::TooManyDecimals { .. } => AmountInputError::TooPrecise {
            decimals: max_decimals,
        },
        _ => AmountInputError::NotANumber,
    })?;
    if amount.normalized().scale() > max_decimals {
        return Err(AmountInputError::TooPrecise {
            decimals: max_decimals,
        });
    }
    if amount.is_zero() {
        return Err(AmountInputError::Zero);
    }
    if let Some(min) = min.filter(|min| amount < *min) {
        return Err(AmountInputError::BelowMinimum(min));
    }
    if let Some(max) = max.filter(|max| amount > *max) {
        return Err(AmountInputError::AboveMaximum(max));
    }
    Ok(amount)
}

/// What the payer typed as ASCII digits with at most one `.`: the decimal point found by
/// [`decimal_point`], every other separator dropped as grouping.
fn plain_decimal(input: &str, decimal: char, group: char) -> Result<String, AmountInputError> {
    let mut chars = Vec::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            // The spaces some locales group with carry no value.
            _ if c == group && c.is_whitespace() => {}
            ' ' | '\u{a0}' | '\u{202f}' | '\'' => {}
            '0'..='9' => chars.push(c),
            // Arabic-Indic and Eastern Arabic-Indic digits, and the Arabic separators.
            '\u{660}'..='\u{669}' => chars.push(char::from(b'0' + (c as u32 - 0x660) as u8)),
            '\u{6f0}'..='\u{6f9}' => chars.push(char::from(b'0' + (c as u32 - 0x6f0) as u8)),
            '\u{66b}' => chars.push(decimal),
            '\u{66c}' => chars.push(group),
            _ if c == decimal || c == group || c == '.' || c == ',' => chars.push(c),
            _ => return Err(AmountInputError::NotANumber),
        }
    }
    let point = decimal_point(&chars, decimal)?;
    Ok(chars
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            _ if Some(i) == point => Some('.'),
            '0'..='9' => Some(*c),
            _ => None,
        })
        .collect())
}

/// Where the decimal point is among digits and separators. With two kinds of separator the
/// last one is the point (`1.234,5` and `1,234.5` alike); a single separator is the point when
/// it is the locale's, or when it cannot be grouping (grouping is followed by three digits);
/// a separator written several times is grouping, unless it is the locale's point.
fn decimal_point(chars: &[char], decimal: char) -> Result<Option<usize>, AmountInputError> {
    let separators: Vec<(usize, char)> = chars
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| !c.is_ascii_digit())
        .collect();
    let Some(&(last, kind)) = separators.last() else {
        return Ok(None);
    };
    let times = separators.iter().filter(|(_, c)| *c == kind).count();
    let mixed = separators.len() > times;
    match times {
        1 if mixed || kind == decimal || chars.len() - last - 1 != 3 => Ok(Some(last)),
        1 => Ok(None),
        _ if mixed || kind == decimal => Err(AmountInputError::NotANumber),
        _ => Ok(None),
    }
}

/// The amount as a payer reads and copies it: the same value, with zeros past the eighth decimal
/// place dropped (Ether amounts carry 18 places, priced to 8). Never rounds.
pub fn for_display(amount: Amount) -> Amount {
    const READABLE: u8 = 8;
    if amount.scale() <= READABLE {
        return amount;
    }
    let shortest = amount.normalized().scale().max(READABLE);
    amount.with_scale(shortest).unwrap_or(amount)
}

/// Splits an address into groups of four so a payer can compare it with their wallet by eye.
pub fn group_address(address: &str) -> Vec<String> {
    let chars: Vec<char> = address.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect()).collect()
}

/// `mm:ss`, or `h:mm:ss` from an hour up; zero once the time has passed.
pub fn countdown(remaining_secs: i64) -> String {
    let s = remaining_secs.max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{sec:02}")
    } else {
        format!("{m:02}:{sec:02}")
    }
}

/// Whether the currency list needs a filter box.
pub fn needs_filter(options: usize) -> bool {
    options > 6
}

/// Options whose code, name or network contains `query`, ignoring ASCII case. Codes, coin names
/// and network names are ASCII; full Unicode case folding would add its tables to the download.
pub fn matches_filter(query: &str, code: &str, name: &str, network_name: &str) -> bool {
    let q = query.trim().to_ascii_lowercase();
    q.is_empty()
        || [code, name, network_name]
            .iter()
            .any(|field| field.to_ascii_lowercase().contains(&q))
}

/// Whether the payer has to type or pick an amount before paying.
pub fn asks_for_amount(checkout: &CheckoutView) -> bool {
    checkout.checkout_type != CheckoutType::FixedPrice
}

/// How many decimals a typed amount may have: fiat amounts take two, a coin-denominated amount
/// takes the coin's.
pub fn amount_decimals(checkout: &CheckoutView) -> u8 {
    let currency = checkout.amount_currency.as_deref().unwrap_or_default();
    checkout
        .currencies
        .iter()
        .find(|c| c.code == currency)
        .map(|c| c.decimals)
        .unwrap_or(2)
}

/// Only http(s) links are followed: a `javascript:` URL from a compromised merchant record must
/// never become a link in the payer's page.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The merchant's support link: a web page, or a `mailto:` link with one valid address (an
/// optional `?subject=…` after it); never a script.
pub fn is_support_url(url: &str) -> bool {
    is_web_url(url) || mailto_address(url).is_some_and(is_email_address)
}

/// The address of a `mailto:` link, without its query.
fn mailto_address(url: &str) -> Option<&str> {
    let rest = url
        .get(..7)?
        .eq_ignore_ascii_case("mailto:")
        .then(|| &url[7..])?;
    Some(rest.split('?').next().unwrap_or_default())
}

/// `local@domain.tld`, with nothing that could end or extend the link.
fn is_email_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let clean = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"@,;:()[]\\".contains(c))
    };
    clean(local) && clean(domain) && domain.contains('.') && !domain.ends_with('.')
}

/// The merchant's text as the payer should read it: without the bidirectional control
/// characters (embeddings, overrides, isolates) that could reorder what the widget shows
/// around it. Its own direction still comes from its letters (the views render it `dir=auto`).
pub fn without_bidi_controls(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// Wallet links are only offered for payment schemes (`bitcoin:`, `ethereum:`…), never for
/// script or web URLs.
pub fn is_wallet_uri(uri: &str) -> bool {
    !is_web_url(uri) && uri.contains(':') && !uri.to_ascii_lowercase().starts_with("javascript:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::PaymentView;

    fn checkout(status: CheckoutStatus, exception: Option<Exception>) -> CheckoutView {
        CheckoutView {
            id: "CCO-1".into(),
            checkout_type: CheckoutType::FixedPrice,
            status,
            exception,
            name: "Order".into(),
            description: None,
            logo_url: None,
            return_url: None,
            support_url: None,
            expires_at: "2030-01-01T00:00:00Z".into(),
            price: None,
            amount_currency: None,
            suggested_amounts: vec![],
            min_amount: None,
            max_amount: None,
            currencies: vec![],
            payment: None,
            version: 1,
            test: false,
            payer_contact_required: false,
            test_controls: false,
        }
    }

    fn with_payment(mut c: CheckoutView, paid: &str) -> CheckoutView {
        c.payment = Some(PaymentView {
            id: "PAY-1".into(),
            currency: "BTC".into(),
            network: "BITCOIN".into(),
            address: "bc1qexample".into(),
            amount: Amount::parse("0.001").unwrap(),
            amount_units: "100000".into(),
            amount_paid: Amount::parse(paid).unwrap(),
            amount_remaining: Amount::parse("0.001").unwrap(),
            wallet_uri: "bitcoin:bc1qexample?amount=0.001".into(),
            wallet_qr: None,
            remaining_wallet_uri: None,
            remaining_wallet_qr: None,
            fiat: None,
            rate: None,
            rate_expires_at: "2030-01-01T00:00:00Z".into(),
            confirmations: 0,
            confirmations_required: 2,
            test: false,
            payment_url: None,
        });
        c
    }

    #[test]
    fn only_an_https_payment_page_is_a_page_and_it_is_never_requoted() {
        let mut c = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0");
        assert_eq!(payment_page(c.payment.as_ref().unwrap()), None);
        for (url, page) in [
            ("https://coins.ph/payment/request/pr1", true),
            ("http://coins.ph/payment/request/pr1", false),
            ("javascript:alert(1)", false),
            ("https://", false),
        ] {
            c.payment.as_mut().unwrap().payment_url = Some(url.into());
            assert_eq!(
                payment_page(c.payment.as_ref().unwrap()).is_some(),
                page,
                "{url}"
            );
        }
        assert_eq!(requote_request(&c), None);
    }

    #[test]
    fn source_prefers_widget_key_and_ignores_blanks() {
        assert_eq!(
            Source::from_attributes(Some("CCO-1"), None),
            Some(Source::Checkout("CCO-1".into()))
        );
        assert_eq!(
            Source::from_attributes(Some(" "), Some("k")),
            Some(Source::WidgetKey("k".into()))
        );
        assert_eq!(Source::from_attributes(Some(""), Some("  ")), None);
    }

    #[test]
    fn each_status_has_its_screen() {
        use CheckoutStatus::*;
        assert_eq!(screen(&checkout(New, None), false), Screen::Choose);
        assert_eq!(
            screen(&checkout(WaitingPayment, None), false),
            Screen::Choose
        );
        let waiting = with_payment(checkout(WaitingPayment, None), "0");
        assert_eq!(screen(&waiting, false), Screen::Pay);
        assert_eq!(screen(&waiting, true), Screen::Choose);
        assert_eq!(
            screen(&checkout(PendingPayment, None), false),
            Screen::Processing
        );
        assert_eq!(screen(&checkout(Success, None), true), Screen::Success);
        assert_eq!(
            screen(&checkout(Conflict, Some(Exception::Underpaid)), false),
            Screen::Underpaid
        );
        assert_eq!(
            screen(&checkout(Conflict, Some(Exception::Overpaid)), false),
            Screen::Overpaid
        );
        assert_eq!(
            screen(&checkout(Conflict, Some(Exception::PaidLate)), false),
            Screen::PaidLate
        );
        assert_eq!(
            screen(&checkout(Expired, None), false),
            Screen::Expired { partial: false }
        );
        assert_eq!(
            screen(&with_payment(checkout(Expired, None), "0.0004"), false),
            Screen::Expired { partial: true }
        );
        assert_eq!(screen(&checkout(Cancelled, None), false), Screen::Cancelled);
        let conflict = with_payment(checkout(Conflict, None), "0.001");
        assert_eq!(
            screen(&conflict, false),
            Screen::Review,
            "never 'sent too much'"
        );
        assert_eq!(Screen::Review.name(), "review");
    }

    #[test]
    fn a_short_payment_says_so_from_the_first_sighting() {
        let mut seen = with_payment(checkout(CheckoutStatus::PendingPayment, None), "0.0004");
        seen.payment.as_mut().unwrap().amount_remaining = Amount::parse("0.0006").unwrap();
        assert_eq!(short_by(&seen), Some(Amount::parse("0.0006").unwrap()));
        let mut full = seen.clone();
        full.payment.as_mut().unwrap().amount_remaining = Amount::parse("0").unwrap();
        assert_eq!(short_by(&full), None);
        let nothing = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0");
        assert_eq!(short_by(&nothing), None);
    }

    #[test]
    fn the_payer_is_told_whichever_end_comes_first() {
        assert_eq!(first_deadline(Some(878), 5), Deadline::Checkout);
        assert_eq!(first_deadline(Some(5), 878), Deadline::Quote);
        assert_eq!(first_deadline(Some(60), 60), Deadline::Checkout);
        assert_eq!(first_deadline(None, 60), Deadline::Checkout);
    }

    #[test]
    fn focus_moves_on_a_change_of_view_only() {
        assert!(!moves_focus(None, "choose"), "not on the page's first view");
        assert!(!moves_focus(Some("pay"), "pay"));
        assert!(!moves_focus(Some("expired"), "loading"));
        assert!(moves_focus(Some("pay"), "choose"));
        assert!(moves_focus(Some("error"), "choose"));
        assert!(links_back(Screen::PaidLate) && links_back(Screen::Expired { partial: true }));
        assert!(!links_back(Screen::Cancelled) && !links_back(Screen::Review));
    }

    #[test]
    fn going_back_is_refused_once_funds_arrived() {
        let partly = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0.0001");
        assert!(!can_choose_again(&partly));
        assert_eq!(screen(&partly, true), Screen::Pay);
        let untouched = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0");
        assert!(can_choose_again(&untouched));
    }

    #[test]
    fn polling_slows_down_and_stops_at_final_statuses() {
        assert_eq!(
            poll_interval_ms(CheckoutStatus::WaitingPayment),
            Some(2_000)
        );
        assert!(poll_interval_ms(CheckoutStatus::PendingPayment).unwrap() > 2_000);
        assert_eq!(poll_interval_ms(CheckoutStatus::Success), None);
        assert_eq!(poll_interval_ms(CheckoutStatus::Cancelled), None);
        assert_eq!(
            [1, 2, 3, 6, 50].map(backoff_ms),
            [1_000, 2_000, 4_000, 30_000, 30_000]
        );
    }

    #[test]
    fn tracker_reports_each_change_once_with_the_previous_status() {
        let mut tracker = StatusTracker::default();
        let first = tracker
            .observe(&checkout(CheckoutStatus::New, None))
            .unwrap();
        assert_eq!(first.previous_status, None);
        assert!(tracker
            .observe(&checkout(CheckoutStatus::New, None))
            .is_none());
        let next = tracker
            .observe(&checkout(CheckoutStatus::WaitingPayment, None))
            .unwrap();
        assert_eq!(next.previous_status, Some(CheckoutStatus::New));
        assert_eq!(next.status, CheckoutStatus::WaitingPayment);
        let conflict = tracker
            .observe(&checkout(
                CheckoutStatus::Conflict,
                Some(Exception::Underpaid),
            ))
            .unwrap();
        assert_eq!(conflict.exception, Some(Exception::Underpaid));
    }

    #[test]
    fn older_answers_never_replace_newer_ones() {
        let mut v2 = checkout(CheckoutStatus::WaitingPayment, None);
        v2.version = 2;
        let v1 = checkout(CheckoutStatus::New, None);
        assert!(!is_newer(Some(&v2), &v1));
        assert!(!is_newer(Some(&v2), &v2.clone()));
        assert!(is_newer(Some(&v1), &v2));
        assert!(is_newer(None, &v1));
    }

    #[test]
    fn amounts_are_read_in_the_payers_locale() {
        let p = |s, d, g| parse_amount_input(s, d, g, 2, None, None).map(|a| a.to_string());
        assert_eq!(p("1,234.56", '.', ','), Ok("1234.56".into()));
        assert_eq!(p("1.234,56", ',', '.'), Ok("1234.56".into()));
        assert_eq!(p("1 234,5", ',', '\u{a0}'), Ok("1234.5".into()));
        assert_eq!(p("١٢٫٥", '\u{66b}', '\u{66c}'), Ok("12.5".into()));
        assert_eq!(p("5.", '.', ','), Ok("5".into()));
        assert_eq!(p("", '.', ','), Err(AmountInputError::Empty));
        assert_eq!(p("12a", '.', ','), Err(AmountInputError::NotANumber));
        assert_eq!(p("-5", '.', ','), Err(AmountInputError::NotANumber));
        assert_eq!(
            p("1.234", '.', ','),
            Err(AmountInputError::TooPrecise { decimals: 2 })
        );
        assert_eq!(p("0", '.', ','), Err(AmountInputError::Zero));
    }

    #[test]
    fn a_comma_or_point_that_cannot_be_grouping_is_the_decimal_point() {
        let p = |s, d, g| parse_amount_input(s, d, g, 2, None, None).map(|a| a.to_string());
        // A German payer on an English page, and the other way round.
        assert_eq!(p("50,5", '.', ','), Ok("50.5".into()));
        assert_eq!(p("50.5", ',', '.'), Ok("50.5".into()));
        assert_eq!(p("50,5", ',', '\u{202f}'), Ok("50.5".into()));
        assert_eq!(p("1.234,56", '.', ','), Ok("1234.56".into()));
        assert_eq!(p("1,234.56", ',', '.'), Ok("1234.56".into()));
        assert_eq!(p("50,5", '\u{66b}', '\u{66c}'), Ok("50.5".into()));
        // Grouping stays grouping, and the locale's own point stays the point.
        assert_eq!(p("1,000", '.', ','), Ok("1000".into()));
        assert_eq!(p("1.000", ',', '.'), Ok("1000".into()));
        assert_eq!(p("1,000,000", '.', ','), Ok("1000000".into()));
        assert_eq!(p("1,000", ',', '.'), Ok("1.000".into()));
        assert_eq!(p("1.2.3", '.', ','), Err(AmountInputError::NotANumber));
        assert_eq!(p("1,2.3,4", '.', ','), Err(AmountInputError::NotANumber));
    }

    #[test]
    fn an_absurdly_long_number_is_above_the_maximum() {
        let max = Amount::parse("1000000000").unwrap();
        let long = "9".repeat(40);
        assert_eq!(
            parse_amount_input(&long, '.', ',', 2, None, Some(max)),
            Err(AmountInputError::AboveMaximum(max))
        );
        let precise = format!("1.{}", "1".repeat(30));
        assert_eq!(
            parse_amount_input(&precise, '.', ',', 2, None, Some(max)),
            Err(AmountInputError::TooPrecise { decimals: 2 })
        );
    }

    #[test]
    fn amount_limits_are_enforced() {
        let min = Amount::parse("1").unwrap();
        let max = Amount::parse("100").unwrap();
        let p = |s| parse_amount_input(s, '.', ',', 2, Some(min), Some(max));
        assert_eq!(p("0.99"), Err(AmountInputError::BelowMinimum(min)));
        assert_eq!(p("100.01"), Err(AmountInputError::AboveMaximum(max)));
        assert_eq!(p("100").unwrap(), max);
        assert_eq!(p("1.00").unwrap(), min);
    }

    #[test]
    fn display_drops_only_zeros_past_the_eighth_place() {
        let d = |s| for_display(Amount::parse(s).unwrap()).to_string();
        assert_eq!(d("0.026666670000000000"), "0.02666667");
        assert_eq!(d("0.010000000000000000"), "0.01000000");
        assert_eq!(d("0.000000000000000123"), "0.000000000000000123");
        assert_eq!(d("25.000000"), "25.000000");
    }

    #[test]
    fn addresses_are_grouped_by_four_and_times_counted_down() {
        assert_eq!(group_address("bc1qabcdefg"), ["bc1q", "abcd", "efg"]);
        assert_eq!(countdown(61), "01:01");
        assert_eq!(countdown(3_725), "1:02:05");
        assert_eq!(countdown(-5), "00:00");
    }

    #[test]
    fn filter_matches_code_name_or_network() {
        assert!(matches_filter(
            "tron",
            "USDT",
            "Tether USD",
            "Tron (TRC-20)"
        ));
        assert!(matches_filter(
            " usdt ",
            "USDT",
            "Tether USD",
            "Ethereum (ERC-20)"
        ));
        assert!(!matches_filter(
            "btc",
            "USDT",
            "Tether USD",
            "Tron (TRC-20)"
        ));
        assert!(matches_filter("", "X", "Y", "Z"));
        assert!(!needs_filter(6) && needs_filter(7));
    }

    #[test]
    fn only_web_urls_become_links_and_only_payment_schemes_open_wallets() {
        assert!(is_web_url("https://shop.example/help"));
        assert!(is_web_url("  HTTP://shop.example"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("/relative"));
        assert!(is_wallet_uri("bitcoin:bc1qexample?amount=0.001"));
        assert!(!is_wallet_uri("https://evil.example"));
        assert!(!is_wallet_uri("JavaScript:alert(1)"));
        assert!(!is_wallet_uri("bc1qexample"));
    }

    #[test]
    fn support_links_are_web_pages_or_one_mail_address() {
        for ok in [
            "https://shop.example/help",
            "mailto:help@shop.example",
            "MAILTO:help@shop.example?subject=Order%2042",
        ] {
            assert!(is_support_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "mailto:",
            "mailto:help",
            "mailto:@shop.example",
            "mailto:help@shop",
            "mailto:a@b.example,c@d.example",
            "mailto:help@shop.example<script>",
            "mailto:help @shop.example",
            "data:text/html,x",
        ] {
            assert!(!is_support_url(bad), "{bad}");
        }
    }

    #[test]
    fn merchant_text_loses_its_bidi_controls_and_nothing_else() {
        let text = "Order \u{202e}42\u{202c} \u{2067}شكرا\u{2069} \u{200f}ok";
        assert_eq!(without_bidi_controls(text), "Order 42 شكرا \u{200f}ok");
    }

    #[test]
    fn a_fresh_quote_is_asked_for_the_same_coin_and_amount_only_while_nothing_is_paid() {
        let fixed = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0");
        let request = requote_request(&fixed).unwrap();
        assert_eq!(
            (request.currency.as_str(), request.network.as_str()),
            ("BTC", "BITCOIN")
        );
        assert_eq!(
            request.amount, None,
            "a fixed price is not the payer's to give"
        );
        let mut open = fixed.clone();
        open.checkout_type = CheckoutType::NoPrice;
        assert_eq!(
            requote_request(&open).unwrap().amount,
            Some(Amount::parse("0.001").unwrap())
        );
        let paid = with_payment(checkout(CheckoutStatus::WaitingPayment, None), "0.0005");
        assert_eq!(requote_request(&paid), None);
        let done = with_payment(checkout(CheckoutStatus::Success, None), "0.001");
        assert_eq!(requote_request(&done), None);
    }
}
