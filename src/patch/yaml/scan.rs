//! Positions in the text that the parser reports in an unexpected place or not at all:
//! comments, the `-` of an item, empty values, explicit keys, and where block scalars end.
//! The span tree (`tree.rs`) corrects its spans with these; each quirk was found by fuzzing
//! or by the mutation tests and is named where it is handled.

/// One past the `:` that follows `key_end` on its line (after spaces), if there is one.
pub(super) fn colon_after(text: &str, key_end: usize) -> Option<usize> {
    let rest = text.get(key_end..)?;
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[gap..].starts_with(':').then_some(key_end + gap + 1)
}

/// The part of a line before its comment (a `#` at the start or after a space or tab).
pub(super) fn before_comment(line: &str) -> &str {
    line.char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .map_or(line, |(i, _)| &line[..i])
}

/// Where an empty value reported at `at` belongs: right after the `-`, `:` or `?` it follows.
/// The parser reports some at the next token instead: after the comment of `- # note` (found
/// by fuzzing: replacing the list kept the dash and wrote into the comment), or on the next
/// line for `? # note` (found by fuzzing: removing the mapping took the next key with it).
/// An empty key (`: x`) is where it is: at its `:`.
pub(super) fn empty_at(text: &str, at: usize) -> usize {
    if text.get(at..).is_some_and(|rest| rest.starts_with(':')) {
        return at;
    }
    match content_before(text, at) {
        Some(end) if end != at && text[..end].ends_with(['-', ':', '?']) => end,
        _ => at,
    }
}

/// The end of the last text before `at` that is neither a comment nor blank.
pub(super) fn content_before(text: &str, at: usize) -> Option<usize> {
    let mut end = at;
    loop {
        let line = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let kept = before_comment(&text[line..end]).trim_end_matches([' ', '\t', '\r']);
        if !kept.is_empty() {
            return Some(line + kept.len());
        }
        end = line.checked_sub(1)?;
    }
}

/// The `-` of the block sequence item whose content starts at `content`: on the same line or
/// on an earlier one, with only node properties (`!tag`, `&anchor`), a block scalar header
/// (`|`, `>-`), an explicit-key `?` or a comment between (each found by fuzzing), and always
/// the first thing on its line.
pub(super) fn dash_before(text: &str, content: usize) -> Option<usize> {
    let mut end = content;
    loop {
        let line = text[..end].rfind('\n').map_or(0, |i| i + 1);
        // A comment on the content line comes before an empty item's content (`- | # c`):
        // after `- `, only node properties and headers can precede real content.
        let mut seg = before_comment(&text[line..end]);
        loop {
            let trimmed = seg.trim_end_matches([' ', '\t', '\r']);
            let token_start = trimmed.rfind([' ', '\t']).map_or(0, |i| i + 1);
            let token = &trimmed[token_start..];
            seg = trimmed;
            if token.starts_with(['!', '&', '|', '>']) || token == "?" {
                seg = &trimmed[..token_start];
            } else {
                break;
            }
        }
        if let Some(indent) = seg.strip_suffix('-') {
            return indent
                .bytes()
                .all(|b| b == b' ')
                .then_some(line + indent.len());
        }
        if !seg.trim().is_empty() || line == 0 {
            return None;
        }
        end = line - 1;
    }
}

/// The span of a literal or folded scalar: from its content to the end of its last content
/// line. With no content, the event sits at the next token (often the next key): the scalar
/// is its header line, `|`, `>-`… (found by fuzzing), plus, when keep-chomped (`|+`), the
/// empty lines its value keeps (found by exploring: a key added after the header went
/// between it and them). One holding only such lines is reported from its indicator.
pub(super) fn block_span(text: &str, value: &str, start: usize, end: usize) -> (usize, usize) {
    let has_content = value.contains(|c| c != '\n');
    // Content may itself start with `|` or `>`: only an empty value is reported from there.
    let from_indicator =
        !has_content && text.get(start..).is_some_and(|r| r.starts_with(['|', '>']));
    if has_content {
        let content_end = block_end(text, start, end);
        if content_end > start {
            return (start, content_end);
        }
    }
    let header = if from_indicator {
        text[..line_after(text, start)].trim_end().len()
    } else {
        header_end(text, start)
    };
    // Each line break of an empty value is an empty line after the header's own break.
    // (The parser counts a last line of spaces with no break as one: then the scalar runs to
    // the end of its event, found by exploring.)
    let kept = match value.matches('\n').count() {
        0 => header,
        breaks => text[header..]
            .match_indices('\n')
            .nth(breaks)
            .map_or(end.max(header), |(i, _)| header + i),
    };
    (header, kept)
}

/// The end of a block scalar's last content line (the parser runs it into the next line's
/// indentation). A line holding only spaces is content when it is indented past the scalar's
/// content (its spaces are text: found by fuzzing), and a trailing empty line otherwise.
fn block_end(text: &str, start: usize, end: usize) -> usize {
    let end = end.min(text.len());
    let first = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = start - first;
    let mut last = start;
    let mut at = first;
    for line in text[first..end].split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start_matches(' ').len();
        // A tab at the content's indentation is text (found by exploring: `>-` over a line
        // of spaces and a tab).
        if lead >= indent && body.len() > lead {
            last = at + body.trim_end_matches(' ').len();
        } else if !body.trim().is_empty() {
            last = at + body.trim_end().len();
        } else if lead > indent {
            last = at + body.len();
        }
        at += line.len();
    }
    // Keep chomping (`|+`, `>+`): the trailing empty lines are part of the value, so the
    // scalar ends at the last line break inside its span (found by the pair test).
    let header = header_end(text, first);
    let header_line = &text[text[..header].rfind('\n').map_or(0, |i| i + 1)..header];
    let keep = header_line
        .match_indices(['|', '>'])
        .any(|(i, _)| header_line[i + 1..].chars().take(2).any(|c| c == '+'));
    if keep && let Some(newline) = text[last..end].rfind('\n') {
        last += newline;
    }
    last
}

/// The start of the line after the one holding `at` (the text's end on the last line).
fn line_after(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The end of the last line before `at` that is not blank: a block scalar's header line.
fn header_end(text: &str, at: usize) -> usize {
    let before = &text[..at.min(text.len())];
    before.trim_end().len()
}
