//! The drill-down: from a branch's (or the network's) score on one
//! dimension to the items behind it, each with its own figure, and from
//! there to the latest comments. The open score is part of the URL state
//! (`drill=N02~empathy`, [`Target`]), so a drill-down can be shared and
//! reloaded; [`href`] is the address a chart's table cell links to.
//!
//! Figures come from `GET /api/v1/items` for the dashboard's filter, else
//! the copy kept of it, else the responses on this device — marked as such,
//! as the charts are. Items are named by their text in the reader's
//! language from the questionnaire; their ids are only in `data-item`.

mod panel;

pub use panel::Drill;

use super::filter::{dimension_param, DashState};
use super::texts::Texts;
use crate::i18n::{dimension_key, text, Key};
use branchpulse_core::aggregate::{channel_label, Figure, Filter, Reference};
use branchpulse_core::collect;
use branchpulse_core::scorecard::{ItemFigure, Items};
use branchpulse_core::stats::Comparison;
use branchpulse_core::{Channel, Dimension, Locale};

/// The branch part of a [`Target`] that means the whole network.
pub const NETWORK: &str = "network";

/// The score drilled into: `branch~dimension`, or `branch~dimension~channel`
/// when the figure is one channel's (the charts show the kiosk's and the
/// mystery shop's side by side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// A branch's code; `None`: the network.
    pub branch: Option<String>,
    pub dimension: Dimension,
    /// The channel of the figure; `None`: the filter's.
    pub channel: Option<Channel>,
}

impl Target {
    /// The URL form.
    pub fn param(&self) -> String {
        let mut s = format!(
            "{}~{}",
            self.branch.as_deref().unwrap_or(NETWORK),
            dimension_param(self.dimension)
        );
        if let Some(c) = self.channel {
            s.push('~');
            s.push_str(channel_label(c));
        }
        s
    }

    /// Read the URL form; `None` when it names no dimension.
    pub fn parse(s: &str) -> Option<Target> {
        // From the right: the last parts are known words, a branch code
        // may contain anything.
        let (rest, last) = s.rsplit_once('~')?;
        let channel = match last {
            "kiosk" => Some(Channel::Kiosk),
            "mystery_shop" => Some(Channel::MysteryShop),
            _ => None,
        };
        let (rest, dim) = match channel {
            Some(_) => rest.rsplit_once('~')?,
            None => (rest, last),
        };
        let dimension = Dimension::ALL
            .into_iter()
            .find(|d| dimension_param(*d) == dim)?;
        let branch = match rest.trim() {
            "" => return None,
            NETWORK => None,
            code => Some(code.to_string()),
        };
        Some(Target {
            branch,
            dimension,
            channel,
        })
    }

    /// The filter whose items are shown: the dashboard's, in the target's
    /// channel when it has one.
    pub fn filter(&self, dashboard: &Filter) -> Filter {
        let mut f = dashboard.clone();
        if self.channel.is_some() {
            f.channel = self.channel;
        }
        f
    }
}

/// The address of the drill-down into `dimension` of `branch` (`None`: the
/// network), in `channel` when the figure is one channel's, from `state`
/// (the whole dashboard state, so the filter stays as it is).
pub fn href(
    state: &DashState,
    branch: Option<&str>,
    dimension: Dimension,
    channel: Option<Channel>,
) -> String {
    let mut s = state.clone();
    s.drill = Some(Target {
        branch: branch.map(str::to_string),
        dimension,
        channel,
    });
    s.url()
}

/// One item behind the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub questionnaire_id: String,
    pub item: String,
    pub yes_no: bool,
    /// A call item: the most rings that count as answered in time.
    pub max_rings: Option<u8>,
    /// The target's figure: the branch's, or the network's.
    pub figure: Option<Figure>,
    /// What a branch's is compared with beside it: the network's, or with
    /// `against=peers` its peers'.
    pub network: Option<Figure>,
}

/// The items of `target`'s dimension, one list per questionnaire (so per
/// channel: never mixed), each in the questionnaire's order; `None` when
/// the target's branch is not among `items`' branches.
/// `format` is the target branch's: with `against=peers` its peers' items
/// stand beside its own (none when it has no format), as the flags compare.
pub fn lines(
    items: &Items,
    target: &Target,
    texts: &Texts,
    format: Option<&str>,
) -> Option<Vec<Vec<Line>>> {
    let own: &[ItemFigure] = match &target.branch {
        None => &items.network,
        Some(code) => &items.branches.iter().find(|b| b.code == *code)?.items,
    };
    let reference: &[ItemFigure] = match items.flags.compared_with {
        Reference::Network => &items.network,
        Reference::Peers => format
            .and_then(|f| items.peers.get(f))
            .map_or(&[], Vec::as_slice),
    };
    let ours = |f: &&ItemFigure| f.dimension == Some(target.dimension);
    let find = |list: &[ItemFigure], q: &str, item: &str| {
        list.iter()
            .find(|f| f.questionnaire_id == q && f.item == item)
            .map(|f| f.figure)
    };
    let mut groups: Vec<Vec<Line>> = Vec::new();
    // The network's items first: a branch may have no answers to some.
    for f in items
        .network
        .iter()
        .filter(ours)
        .chain(own.iter().filter(ours))
    {
        let group = match groups
            .iter_mut()
            .find(|g| g[0].questionnaire_id == f.questionnaire_id)
        {
            Some(g) => g,
            None => {
                groups.push(Vec::new());
                groups.last_mut().expect("just pushed")
            }
        };
        if group.iter().any(|l| l.item == f.item) {
            continue;
        }
        group.push(Line {
            questionnaire_id: f.questionnaire_id.clone(),
            item: f.item.clone(),
            yes_no: f.yes_no,
            max_rings: f.max_rings,
            figure: find(own, &f.questionnaire_id, &f.item),
            network: target
                .branch
                .as_ref()
                .and_then(|_| find(reference, &f.questionnaire_id, &f.item)),
        });
    }
    for g in &mut groups {
        collect::sort_by_key(g, |l| {
            texts
                .position(&l.questionnaire_id, &l.item)
                .unwrap_or(usize::MAX)
        });
    }
    Some(groups)
}

/// "72.4 [68.1–76.0]", or "–" without a figure: the charts' own format.
fn with_interval(f: Option<&Figure>) -> String {
    f.map_or_else(|| "–".into(), super::figures::with_interval)
}

/// Against the network, only as the figure's own comparison says.
/// A branch item's comparison in words: with the network, or with its
/// peers when the items were compared with peers.
fn versus(f: Option<&Figure>, locale: Locale, peers: bool) -> &'static str {
    let Some(f) = f else { return "–" };
    if f.too_few {
        return text(locale, Key::DashTooFew);
    }
    let key = match (f.comparison, peers) {
        (Some(Comparison::Better), false) => Key::DashBetter,
        (Some(Comparison::Worse), false) => Key::DashWorse,
        (Some(Comparison::Indistinguishable), false) => Key::DashSame,
        (Some(Comparison::Better), true) => Key::DashBetterPeers,
        (Some(Comparison::Worse), true) => Key::DashWorsePeers,
        (Some(Comparison::Indistinguishable), true) => Key::DashSamePeers,
        (None, _) => return "–",
    };
    text(locale, key)
}

fn too_few(f: Option<&Figure>) -> bool {
    f.is_none_or(|f| f.too_few)
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// The text description of the tables: how many items, which are better
/// or worse than the network, which have too few answers.
pub fn description(
    groups: &[Vec<Line>],
    target: &Target,
    branch: &str,
    texts: &Texts,
    locale: Locale,
) -> String {
    let name = |l: &Line| {
        format!(
            "“{}”",
            texts.item(Some(&l.questionnaire_id), &l.item, locale)
        )
    };
    let list = |keep: &dyn Fn(&Line) -> bool| {
        let names: Vec<String> = groups
            .iter()
            .flatten()
            .filter(|l| keep(l))
            .map(name)
            .collect();
        if names.is_empty() {
            text(locale, Key::DashNone).to_string()
        } else {
            names.join("; ")
        }
    };
    let comparison = |l: &Line| l.figure.and_then(|f| f.comparison);
    let mut values = vec![
        ("n", groups.iter().map(Vec::len).sum::<usize>().to_string()),
        (
            "dimension",
            text(locale, dimension_key(target.dimension)).to_string(),
        ),
        ("branch", branch.to_string()),
        ("few", list(&|l| too_few(l.figure.as_ref()))),
    ];
    let template = if target.branch.is_some() {
        values.push(("up", list(&|l| comparison(l) == Some(Comparison::Better))));
        values.push(("down", list(&|l| comparison(l) == Some(Comparison::Worse))));
        text(locale, Key::DashDrillDesc)
    } else {
        text(locale, Key::DashDrillDescNetwork)
    };
    fill(template, &values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::scorecard::BranchItems;
    use branchpulse_core::stats::Estimate;
    use branchpulse_core::Questionnaire;

    fn target(s: &str) -> Target {
        Target::parse(s).unwrap_or_else(|| panic!("{s} is a target"))
    }

    #[test]
    fn a_target_round_trips_through_its_url_form() {
        for s in [
            "N02~empathy",
            "network~process_convenience",
            "N02~trust~mystery_shop",
            "network~environment~kiosk",
            // A code with the separator in it is still read from the right.
            "A~B~value~kiosk",
        ] {
            assert_eq!(target(s).param(), s);
        }
        assert_eq!(
            target("N02~trust~mystery_shop"),
            Target {
                branch: Some("N02".into()),
                dimension: Dimension::Trust,
                channel: Some(Channel::MysteryShop),
            }
        );
        assert_eq!(target("network~value").branch, None);
        assert_eq!(target("A~B~value~kiosk").branch.as_deref(), Some("A~B"));
        for bad in [
            "",
            "N02",
            "N02~kindness",
            "~empathy",
            "N02~kiosk",
            "empathy~kiosk",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_target_narrows_the_filter_to_its_channel_only() {
        let f = Filter {
            channel: Some(Channel::Kiosk),
            ..Filter::default()
        };
        assert_eq!(target("N01~value").filter(&f).channel, Some(Channel::Kiosk));
        assert_eq!(
            target("N01~value~mystery_shop").filter(&f).channel,
            Some(Channel::MysteryShop)
        );
        assert_eq!(target("N01~value").filter(&Filter::default()).channel, None);
    }

    #[test]
    fn href_keeps_the_state_and_adds_the_target() {
        let s = DashState {
            filter: Ok(Filter {
                branches: vec!["N01".into(), "N02".into()],
                ..Filter::default()
            }),
            compare: vec!["N01".into()],
            trend: None,
            q: "queue".into(),
            drill: None,
            table: Default::default(),
        };
        assert_eq!(
            href(&s, Some("N02"), Dimension::Empathy, None),
            "/dashboard?branches=N01%2CN02&compare=N01&q=queue&drill=N02%7Eempathy"
        );
        assert_eq!(
            href(&s, None, Dimension::Value, Some(Channel::Kiosk)),
            "/dashboard?branches=N01%2CN02&compare=N01&q=queue&drill=network%7Evalue%7Ekiosk"
        );
    }

    fn figure(n: u64, value: f64, comparison: Option<Comparison>) -> Figure {
        Figure {
            n,
            too_few: n < 30,
            estimate: Some(Estimate {
                n,
                value,
                low: value - 5.0,
                high: value + 5.0,
            }),
            comparison,
        }
    }

    fn item(q: &str, id: &str, d: Dimension, yes_no: bool, f: Figure) -> ItemFigure {
        ItemFigure {
            questionnaire_id: q.into(),
            item: id.into(),
            dimension: Some(d),
            yes_no,
            max_rings: None,
            figure: f,
        }
    }

    fn texts() -> Texts {
        let kiosk: Questionnaire =
            serde_json::from_str(include_str!("../../../questionnaires/kiosk.json")).unwrap();
        let shop: Questionnaire =
            serde_json::from_str(include_str!("../../../questionnaires/mystery_shop.json"))
                .unwrap();
        Texts::of(vec![kiosk, shop])
    }

    /// Empathy items of both questionnaires, deliberately out of the
    /// questionnaires' order, and an item of another dimension.
    fn items() -> Items {
        use Dimension::*;
        let network = vec![
            item(
                "branch_visit",
                "thanked",
                Empathy,
                true,
                figure(60, 80.0, None),
            ),
            item(
                "lobby",
                "staff_care",
                Empathy,
                false,
                figure(400, 70.0, None),
            ),
            item(
                "branch_visit",
                "greeted_on_arrival",
                Empathy,
                true,
                figure(60, 50.0, None),
            ),
            item(
                "branch_visit",
                "name_badge",
                Trust,
                true,
                figure(60, 90.0, None),
            ),
        ];
        let n02 = vec![
            item(
                "lobby",
                "staff_care",
                Empathy,
                false,
                figure(40, 60.0, Some(Comparison::Worse)),
            ),
            item(
                "branch_visit",
                "thanked",
                Empathy,
                true,
                figure(12, 75.0, Some(Comparison::Indistinguishable)),
            ),
        ];
        Items {
            filter: Filter::default(),
            network,
            branches: vec![BranchItems {
                code: "N02".into(),
                items: n02,
            }],
            names: Default::default(),
            peers: Default::default(),
            flags: Default::default(),
        }
    }

    #[test]
    fn items_are_grouped_by_questionnaire_in_its_order_with_the_network_beside() {
        let texts = texts();
        let groups = lines(&items(), &target("N02~empathy"), &texts, None).unwrap();
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|l| l.item.as_str()).collect())
            .collect();
        // The mystery shop asks for the greeting at arrival, the thanks at closing.
        assert_eq!(
            ids,
            [vec!["greeted_on_arrival", "thanked"], vec!["staff_care"]]
        );
        let greeted = &groups[0][0];
        assert_eq!(greeted.figure, None, "N02 has no answers to it");
        assert_eq!(greeted.network.map(|f| f.n), Some(60));
        let care = &groups[1][0];
        assert_eq!(care.figure.map(|f| f.n), Some(40));
        assert_eq!(care.network.map(|f| f.n), Some(400));
        assert!(!care.yes_no && groups[0][1].yes_no);

        let network = lines(&items(), &target("network~empathy"), &texts, None).unwrap();
        assert_eq!(network[0][1].figure.map(|f| f.n), Some(60));
        assert!(network.iter().flatten().all(|l| l.network.is_none()));

        assert_eq!(lines(&items(), &target("S01~empathy"), &texts, None), None);
        assert_eq!(
            lines(&items(), &target("N02~value"), &texts, None),
            Some(vec![])
        );
    }

    #[test]
    fn compared_with_peers_the_peers_items_stand_beside_the_branchs() {
        let texts = texts();
        let mut peers = items();
        peers.flags.compared_with = Reference::Peers;
        let mut theirs = peers.network.clone();
        for f in &mut theirs {
            f.figure.n = 7;
        }
        peers.peers.insert("community".into(), theirs);
        let groups = lines(&peers, &target("N02~empathy"), &texts, Some("community")).unwrap();
        let beside: Vec<Option<u64>> = groups
            .iter()
            .flatten()
            .map(|l| l.network.map(|f| f.n))
            .collect();
        assert_eq!(beside, [Some(7), Some(7), Some(7)]);
        // A branch without a format (or of another) has nothing beside it.
        for format in [None, Some("flagship")] {
            let groups = lines(&peers, &target("N02~empathy"), &texts, format).unwrap();
            assert!(groups.iter().flatten().all(|l| l.network.is_none()));
        }
    }

    #[test]
    fn the_description_names_items_by_text_and_flags_only_from_the_comparison() {
        let texts = texts();
        let t = target("N02~empathy");
        let groups = lines(&items(), &t, &texts, None).unwrap();
        let d = description(&groups, &t, "N02 Riverside", &texts, Locale::En);
        assert_eq!(
            d,
            "3 items behind the Empathy score of N02 Riverside, each with its n and 95% interval. \
             Better than the network: none. \
             Worse: “How well did our staff look after you?”. \
             Too few responses: “Did a member of staff greet you within one minute of entering?”; \
             “Did staff thank you at the end of the visit?”."
        );
        assert!(!d.contains("staff_care") && !d.contains("thanked"));
    }
}
