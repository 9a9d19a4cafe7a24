//! The widget's icons: one inline SVG sprite per shadow root (rendered by the header, which
//! every loaded view has), referenced with `<use>`. Coins are simple geometric marks of our own
//! on a coloured disc, not the projects' artwork; a token on another chain carries that chain's
//! mark as a small badge. Inline SVG needs no request and no `img-src` in the host's CSP.

use leptos::prelude::*;

use super::attr;
use crate::state::Screen;

/// The symbols, in one string: markup the browser parses is far smaller than the code Leptos
/// would generate for the same elements. Coins are 16 units square, status icons 24 (drawn
/// with the stroke the stylesheet gives `.status-icon`).
const SPRITE: &str = concat!(
    r##"<symbol id="cw-btc" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#f2a900"/><path d="M6 4h3.3a2 2 0 010 4H6zm0 4h3.7a2 2 0 010 4H6z" fill="none" stroke="#fff" stroke-width="1.5"/></symbol>"##,
    r##"<symbol id="cw-ltc" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#345d9d"/><path d="M6.5 4v7.5H11M5 9l4-2" fill="none" stroke="#fff" stroke-width="1.5"/></symbol>"##,
    r##"<symbol id="cw-eth" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#627eea"/><path d="M8 3l3.5 5L8 13 4.5 8z" fill="#fff"/></symbol>"##,
    r##"<symbol id="cw-usdt" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#26a17b"/><path d="M4.5 4.5h7V6H8.8v5.5H7.2V6H4.5z" fill="#fff"/></symbol>"##,
    r##"<symbol id="cw-usdc" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#2775ca"/><circle cx="8" cy="8" r="4" fill="none" stroke="#fff" stroke-width="1.5"/></symbol>"##,
    r##"<symbol id="cw-trx" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#c4102e"/><path d="M4.5 5h7L8 11.5z" fill="#fff"/></symbol>"##,
    r##"<symbol id="cw-php" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#1f5fd6"/><rect x="4" y="5" width="8" height="6" rx="1" fill="none" stroke="#fff" stroke-width="1.5"/></symbol>"##,
    r##"<symbol id="cw-coin" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#7a8194"/><circle cx="8" cy="8" r="2.5" fill="#fff"/></symbol>"##,
    r##"<symbol id="cw-ok" viewBox="0 0 24 24"><path d="M5 12.5l4.5 4.5L19 7.5"/></symbol>"##,
    r##"<symbol id="cw-warn" viewBox="0 0 24 24"><path d="M12 3L2 20h20zM12 9v5m0 3v.5"/></symbol>"##,
    r##"<symbol id="cw-clock" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/></symbol>"##,
);

/// The sprite's mark for a coin; unknown coins get a neutral disc.
pub fn coin_mark(code: &str) -> &'static str {
    match code {
        "BTC" => "btc",
        "LTC" => "ltc",
        "ETH" => "eth",
        "USDT" => "usdt",
        "USDC" => "usdc",
        "TRX" => "trx",
        "PHP" => "php",
        _ => "coin",
    }
}

/// The mark of a network: its own coin's.
pub fn network_mark(network: &str) -> Option<&'static str> {
    match network {
        "BITCOIN" => Some("btc"),
        "LITECOIN" => Some("ltc"),
        "ETHEREUM" => Some("eth"),
        "TRON" => Some("trx"),
        "COINSPH" => Some("php"),
        _ => None,
    }
}

/// A `<use>` reference to the sprite's symbol for `mark`.
fn symbol(mark: &str) -> String {
    let mut href = String::from("#cw-");
    href.push_str(mark);
    href
}

/// The symbols every icon refers to. Rendered once per shadow root (by the header).
#[component]
pub fn Sprite() -> impl IntoView {
    view! { <svg class="sprite" {attr("aria-hidden", "true")} inner_html=SPRITE></svg> }
}

/// A coin's mark, with its network's mark as a badge when the coin lives on another chain
/// (USDT on Tron). Decorative: the code and network are always written beside it.
#[component]
pub fn CoinIcon(
    /// The coin's code (`USDT`).
    code: String,
    /// The network's code (`TRON`).
    network: String,
) -> impl IntoView {
    let coin = coin_mark(&code);
    let chain = network_mark(&network).filter(|mark| *mark != coin);
    view! {
        <span class="coin-icon" {attr("aria-hidden", "true")} data-mark=coin>
            <svg><use href=symbol(coin)></use></svg>
            {chain.map(|mark| view! {
                <svg class="network-icon" data-mark=mark><use href=symbol(mark)></use></svg>
            }.into_any())}
        </span>
    }
}

/// What an outcome's icon says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A check: paid.
    Success,
    /// A warning: the merchant or the payer has something to do.
    Attention,
    /// A clock: time ran out.
    Expired,
}

impl Status {
    /// The icon for an outcome screen (none for the screens on the way to one).
    pub fn of(screen: Screen) -> Option<Status> {
        match screen {
            Screen::Success => Some(Status::Success),
            Screen::Expired { .. } => Some(Status::Expired),
            Screen::Underpaid
            | Screen::Overpaid
            | Screen::PaidLate
            | Screen::Cancelled
            | Screen::Review => Some(Status::Attention),
            Screen::Choose | Screen::Pay | Screen::Processing => None,
        }
    }

    const fn mark(self) -> &'static str {
        match self {
            Status::Success => "ok",
            Status::Attention => "warn",
            Status::Expired => "clock",
        }
    }
}

/// An outcome's icon, coloured by the stylesheet (`data-status`). Decorative: the heading
/// beside it says the same in words.
#[component]
pub fn StatusIcon(
    /// Which icon.
    status: Status,
) -> impl IntoView {
    let mark = status.mark();
    view! {
        <svg class="status-icon" {attr("part", "status-icon")} {attr("aria-hidden", "true")} data-status=mark>
            <use href=symbol(mark)></use>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_named_is_in_the_sprite() {
        let codes = ["BTC", "LTC", "ETH", "USDT", "USDC", "TRX", "PHP", "XYZ"];
        let networks = ["BITCOIN", "LITECOIN", "ETHEREUM", "TRON", "COINSPH"];
        let marks = codes
            .iter()
            .map(|c| coin_mark(c))
            .chain(networks.iter().filter_map(|n| network_mark(n)))
            .chain([Status::Success, Status::Attention, Status::Expired].map(Status::mark));
        for mark in marks {
            assert!(SPRITE.contains(&format!(r#"id="cw-{mark}""#)), "{mark}");
        }
        assert_eq!(network_mark("SOLANA"), None);
    }

    #[test]
    fn outcomes_get_a_check_a_warning_or_a_clock() {
        assert_eq!(Status::of(Screen::Success), Some(Status::Success));
        assert_eq!(
            Status::of(Screen::Expired { partial: true }),
            Some(Status::Expired)
        );
        assert_eq!(Status::of(Screen::Overpaid), Some(Status::Attention));
        assert_eq!(Status::of(Screen::Pay), None);
    }
}
