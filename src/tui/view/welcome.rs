//! The welcome screen: what the wizard does, the files loaded, the Kratos version the rules
//! assume, the proposals, and a bar chart of the findings per threat and severity.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Widget};

use super::{View, text, threat};
use crate::config::KratosVersion;
use crate::rules::{Applicability, Context, Profile, Severity, Threat};
use crate::tui::theme::THEME;

/// Severities worst first, with the letter under their bar.
const BANDS: [(Severity, &str); 5] = [
    (Severity::Critical, "C"),
    (Severity::High, "H"),
    (Severity::Medium, "M"),
    (Severity::Low, "L"),
    (Severity::Info, "I"),
];

/// The welcome screen.
pub fn render(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let max = usize::from(area.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let intro = if session.items.is_empty() {
        "No rule found anything this wizard can propose. Enter goes to Review; q quits.".to_owned()
    } else {
        "This wizard walks through every proposed fix, threat by threat and worst first: the \
         current and proposed value, why it matters and what may break. Nothing is written \
         until you confirm on the Review screen."
            .to_owned()
    };
    lines.extend(text::wrap(&intro, max).into_iter().map(Line::raw));
    lines.push(Line::default());

    let sources = &session.deployment.sources;
    for (n, source) in sources.iter().take(3).enumerate() {
        let kind = source.kind.label();
        let label = if n == 0 { "Files" } else { "" };
        lines.extend(text::labelled(
            label,
            &format!("{} ({kind})", source.display),
            THEME.value,
            max,
        ));
    }
    if sources.len() > 3 {
        let more = format!("… and {} more", sources.len() - 3);
        lines.extend(text::labelled("", &more, THEME.muted, max));
    }
    let rules = match Context::new(&session.deployment, Profile::default(), None).version {
        KratosVersion::V1 => "v1.x rules",
        KratosVersion::V26 => "v25/v26 rules",
    };
    let version = match session
        .deployment
        .root
        .get("version")
        .and_then(|n| n.as_str())
    {
        Some(v) => format!("{v} (from version:, {rules})"),
        None => format!("not declared in the config; {rules} assumed"),
    };
    lines.extend(text::labelled("Kratos", &version, THEME.value, max));
    let profile = match session.profile {
        Profile::Production => "production (https everywhere, a real database)",
        Profile::Development => "development (http and in-memory databases allowed)",
    };
    lines.extend(text::labelled("Profile", profile, THEME.value, max));

    let findings: Vec<_> = session
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let bands: Vec<String> = BANDS
        .iter()
        .filter_map(|(band, _)| {
            let n = findings.iter().filter(|f| f.severity == *band).count();
            (n > 0).then(|| format!("{n} {}", band.as_str()))
        })
        .collect();
    let summary = if bands.is_empty() {
        "none".to_owned()
    } else {
        format!("{}: {}", findings.len(), bands.join(", "))
    };
    lines.extend(text::labelled("Findings", &summary, THEME.value, max));
    let count = |a: Applicability| {
        session
            .items
            .iter()
            .filter(|i| i.applicability == a && !i.ops.is_empty())
            .count()
    };
    let manual = session.items.iter().filter(|i| i.ops.is_empty()).count();
    let proposals = format!(
        "{} ({} safe, {} unsafe) and {} in {}",
        text::plural(
            count(Applicability::Safe) + count(Applicability::Unsafe),
            "fix",
            "fixes"
        ),
        count(Applicability::Safe),
        count(Applicability::Unsafe),
        text::plural(manual, "manual step", "manual steps"),
        text::plural(session.threats().len(), "threat", "threats"),
    );
    lines.extend(text::labelled("Proposals", &proposals, THEME.value, max));
    lines.push(Line::default());

    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let [facts, chart] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    Paragraph::new(lines).render(facts, buf);
    if chart.height >= 6 {
        render_chart(view, chart, buf);
    }
}

/// Grouped bars: one group per threat, one bar per severity.
fn render_chart(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let inner_width = area.width.saturating_sub(2);
    let group_gap = 3;
    let bar_width = ((inner_width.saturating_sub(group_gap * 3)) / 20).clamp(1, 6);
    let group_width = bar_width * 5;
    let long = group_width >= 18;
    let mut chart = BarChart::default()
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(group_gap)
        .label_style(THEME.muted);
    for threat in Threat::ALL {
        let bars: Vec<Bar> = BANDS
            .iter()
            .map(|(band, letter)| {
                let n = session
                    .findings
                    .iter()
                    .filter(|f| f.suppressed.is_none())
                    .filter(|f| f.rule.threat == threat && f.severity == *band)
                    .count();
                Bar::new(u64::try_from(n).unwrap_or(u64::MAX))
                    .label(Line::from(*letter).centered())
                    .style(THEME.severity(*band))
                    .value_style(THEME.severity(*band).reversed())
            })
            .collect();
        let name = text::truncate(threat::short(threat, long), usize::from(group_width));
        chart = chart.data(BarGroup::new(bars).label(Line::from(name).centered()));
    }
    let mut legend = vec![Span::raw(" ")];
    for (band, letter) in BANDS {
        legend.push(Span::styled(
            format!("{letter} {} ", band.as_str()),
            THEME.severity(band),
        ));
    }
    let block = Block::bordered()
        .border_style(THEME.muted)
        .title(Span::styled(
            " Findings by threat and severity ",
            THEME.heading,
        ))
        .title_bottom(Line::from(legend));
    let chart_width = group_width * 4 + group_gap * 3 + 2;
    let [_, centered, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(chart_width.max(50).min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(area);
    chart.block(block).render(centered, buf);
}
