//! One test per construction, on invented policy text.

use super::*;

fn html(s: &str) -> Converted {
    convert(s, Format::Html)
}

fn md(s: &str) -> Converted {
    convert(s, Format::Markdown)
}

fn blocks_of(c: &Converted, kind: BlockKind) -> Vec<&str> {
    c.blocks
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| &c.text[b.range.clone()])
        .collect()
}

#[test]
fn html_headings_keep_their_numbers_on_their_own_line() {
    let c = html(
        "<h1>示例应用隐私政策</h1><h2>一、我们如何收集信息</h2><p>我们会收集您的手机号码。</p>",
    );
    assert_eq!(
        c.text,
        "示例应用隐私政策\n\n一、我们如何收集信息\n\n我们会收集您的手机号码。\n"
    );
    let h: Vec<(u8, &str)> = c
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| (b.level, &c.text[b.range.clone()]))
        .collect();
    assert_eq!(
        h,
        vec![(1, "示例应用隐私政策"), (2, "一、我们如何收集信息")]
    );
    assert_eq!(
        blocks_of(&c, BlockKind::Paragraph),
        vec!["我们会收集您的手机号码。"]
    );
}

#[test]
fn markdown_headings_lose_their_marks_and_keep_their_numbers() {
    let c = md(
        "# Sample App Privacy Policy\n\n## 2. What We Collect\nWe collect your email address.\n",
    );
    assert_eq!(
        c.text,
        "Sample App Privacy Policy\n\n2. What We Collect\n\nWe collect your email address.\n"
    );
    assert_eq!(c.blocks[1].kind, BlockKind::Heading);
    assert_eq!(c.blocks[1].level, 2);
}

#[test]
fn nested_lists_one_item_per_line() {
    let page = "<p>We collect the following:</p><ul><li>Contact details<ul><li>email address</li>\
                <li>phone number</ul><li><p>Device data</p></li></ul><p>After.</p>";
    let c = html(page);
    assert_eq!(
        c.text,
        "We collect the following:\n\n- Contact details\n  - email address\n  - phone number\n- Device data\n\nAfter.\n"
    );
    let items: Vec<(u8, &str)> = c
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::ListItem)
        .map(|b| (b.level, &c.text[b.range.clone()]))
        .collect();
    assert_eq!(
        items,
        vec![
            (1, "- Contact details\n  - email address\n  - phone number"),
            (2, "  - email address"),
            (2, "  - phone number"),
            (1, "- Device data"),
        ]
    );

    let m = md(
        "We collect the following:\n\n- Contact details\n  - email address\n  - phone number\n- Device data\n",
    );
    assert_eq!(
        m.text,
        "We collect the following:\n\n- Contact details\n  - email address\n  - phone number\n- Device data\n"
    );
}

#[test]
fn ordered_lists_show_numbers_only_where_the_source_does() {
    // A browser draws <ol> numbers; the page text has none, and "1." would be a clause.
    let c = html("<ol><li>姓名</li><li>手机号码</li></ol>");
    assert_eq!(c.text, "- 姓名\n- 手机号码\n");
    // Markdown writes them, lazily numbered or not. In a list of items they follow a
    // bullet, so a short item is not read as a numbered heading.
    let m = md("We collect:\n\n1. name\n1. email address\n");
    assert_eq!(m.text, "We collect:\n\n- 1. name\n- 2. email address\n");
    // Where the list numbers sections (an item holds a title and its text), the numbers
    // are clause numbers; a list inside such a section is a list again.
    let m = md("3. Sharing\n\n   We share your email address.\n\n   4. nested\n4. Rights\n");
    assert_eq!(
        m.text,
        "3. Sharing\nWe share your email address.\n  - 4. nested\n4. Rights\n"
    );
}

#[test]
fn table_rows_with_their_header() {
    let page = "<table><thead><tr><th>SDK名称</th><th>收集的信息</th></tr></thead>\
                <tbody><tr><td>友盟统计</td><td>设备标识<br>IP地址</td></tr>\
                <tr><td>极光推送<td>设备型号</tr></tbody></table><p>表后文字。</p>";
    let c = html(page);
    assert_eq!(
        c.text,
        "SDK名称 | 收集的信息\n友盟统计 | 设备标识 IP地址\n极光推送 | 设备型号\n\n表后文字。\n"
    );
    let rows: Vec<&Block> = c
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].header.is_empty(),
        "the header row is a row of its own"
    );
    assert_eq!(rows[1].header, vec!["SDK名称", "收集的信息"]);
    assert_eq!(&c.text[rows[2].range.clone()], "极光推送 | 设备型号");
    assert_eq!(
        blocks_of(&c, BlockKind::TableCell),
        vec![
            "SDK名称",
            "收集的信息",
            "友盟统计",
            "设备标识 IP地址",
            "极光推送",
            "设备型号"
        ]
    );

    // A header row of <th> cells without <thead>, and a Markdown table.
    let c = html(
        "<table><tr><th>Partner</th><th>Data</th></tr><tr><td>Acme Ads</td><td>advertising ID</td></tr></table>",
    );
    assert_eq!(c.text, "Partner | Data\nAcme Ads | advertising ID\n");
    let m = md("| Partner | Data |\n|---|---|\n| Acme Ads | advertising ID |\n| Beta | |\n");
    assert_eq!(
        m.text,
        "Partner | Data\nAcme Ads | advertising ID\nBeta |\n"
    );
    let rows: Vec<&Block> = m
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::TableRow)
        .collect();
    assert_eq!(rows[1].header, vec!["Partner", "Data"]);
}

#[test]
fn markdown_front_matter_is_not_policy_text() {
    let m = md(
        "---\nlayout: page\ntitle: Privacy\n---\n\n**Privacy Policy**\n\nWe collect your email address.\n",
    );
    assert_eq!(m.text, "Privacy Policy\n\nWe collect your email address.\n");
    // A rule further down is a rule, not front matter.
    let m = md("Intro.\n\n---\n\nMore.\n");
    assert_eq!(m.text, "Intro.\n\nMore.\n");
}

#[test]
fn br_breaks_a_line_inside_a_paragraph() {
    let c = html("<p>名称：示例SDK<br>用途：消息推送<br/>收集信息：设备标识</p>");
    assert_eq!(
        c.text,
        "名称：示例SDK\n用途：消息推送\n收集信息：设备标识\n"
    );
    // <br><br> sets paragraphs apart.
    let c = html("<body>第一段文字<br><br>第二段文字<br>\n<br>第三段</body>");
    assert_eq!(c.text, "第一段文字\n\n第二段文字\n\n第三段\n");
    let m = md("Vendor: Acme<br>Data: email address\n");
    assert_eq!(m.text, "Vendor: Acme\nData: email address\n");
}

#[test]
fn scripts_styles_navigation_and_controls_are_dropped() {
    let page = r#"<!DOCTYPE html><html><head><title>Policy | Site</title>
        <style>p { color: red } </style><script>if (a < b && "<p>") { x(); }</script></head>
        <body><header><nav><a href="/">Home</a></nav>Site banner</header>
        <main><header><h1>Privacy Policy</h1></header>
        <p>We collect your email address.<!-- a comment <p>not text</p> --></p>
        <noscript>Enable JavaScript</noscript><template><p>later</p></template>
        <div hidden>hidden text</div><div style="display: none">also hidden</div>
        <svg viewBox="0 0 1 1"><text>icon</text></svg><svg/>
        <form><label>Agree</label><input type="checkbox"><button>Accept</button>
        <select><option>English</option></select></form>
        <p>End.</p></main><footer>Copyright</footer></body></html>"#;
    let c = html(page);
    assert_eq!(
        c.text,
        "Privacy Policy\n\nWe collect your email address.\n\nAgree\n\nEnd.\n"
    );
}

#[test]
fn entities_are_decoded() {
    let c = html("<p>Name &amp; email &lt;required&gt;&nbsp;&#x4E2A;&#20154;&quot;信息&quot;</p>");
    // A no-break space is a space to the reader and to the segmenter.
    assert_eq!(c.text, "Name & email <required> 个人\"信息\"\n");
    let m = md("Name &amp; email &copy;\n");
    assert_eq!(m.text, "Name & email ©\n");
}

#[test]
fn links_keep_their_text_and_http_target() {
    let page = r#"<p>隐私政策链接：<a href="https://sdk.example.com/privacy">隐私政策</a>，
        <a href="/relative">本站</a>，<a href="mailto:a@b.example">邮件</a>，
        <a href="https://x.example/p">https://x.example/p</a></p>"#;
    let c = html(page);
    assert_eq!(
        c.text,
        // The line break before the last link is a space, as a browser shows it.
        "隐私政策链接：隐私政策 <https://sdk.example.com/privacy>，本站，邮件， https://x.example/p\n"
    );
    let m = md("See [their policy](https://acme.example/privacy) and <https://b.example/>.\n");
    assert_eq!(
        m.text,
        "See their policy <https://acme.example/privacy> and https://b.example/.\n"
    );
}

#[test]
fn whitespace_collapses_and_cjk_line_breaks_join() {
    let c = html("<p>  我们会\n   收集您的   姓名,\n  and   your\n  email. </p>");
    assert_eq!(c.text, "我们会收集您的 姓名, and your email.\n");
    let m = md("我们会\n收集您的姓名。\nWe also\ncollect email.\n");
    assert_eq!(m.text, "我们会收集您的姓名。 We also collect email.\n");
}

#[test]
fn pre_keeps_its_lines_and_markdown_html_blocks_are_read() {
    let c = html("<pre>line one\n  line two</pre>");
    assert_eq!(c.text, "line one\n  line two\n");
    let m = md(
        "Intro text.\n\n<table>\n<tr><th>SDK</th><th>Data</th></tr>\n<tr><td>Acme</td><td>IMEI</td></tr>\n</table>\n\nAfter.\n",
    );
    assert_eq!(m.text, "Intro text.\n\nSDK | Data\nAcme | IMEI\n\nAfter.\n");
}

#[test]
fn hostile_markup_does_not_break_the_text() {
    for page in [
        "<p><li><td>text</td></li></p></ul></ol></table>",
        "</p></li></td></tr></h2>text<<<>>>&&&;",
        "<table><tr><td><table><tr><td>inner</td></tr></table></td><td>next</td></tr></table>",
        "<script>never closed <p>x</p>",
        "<a href=\"https://x.example\"><a href=\"javascript:alert(1)\">t</a>",
        "\u{0}<p>\u{0}nul</p>",
    ] {
        let c = html(page);
        for b in &c.blocks {
            assert!(
                c.text.get(b.range.clone()).is_some(),
                "{page}: bad range {b:?}"
            );
        }
    }
    let nested = html(
        "<table><tr><td><table><tr><td>inner</td><td>cell</td></tr></table></td><td>next</td></tr></table>",
    );
    // A table inside a cell makes the outer one a layout table: the inner one is the data.
    assert_eq!(nested.text, "inner | cell\n\nnext\n");
    assert_eq!(html("<script>never closed <p>x</p>").text, "");
}

#[test]
fn formats_from_extension_and_content() {
    use std::path::Path;
    assert_eq!(
        Format::from_path(Path::new("a/policy.MD")),
        Some(Format::Markdown)
    );
    assert_eq!(Format::from_path(Path::new("sdk.htm")), Some(Format::Html));
    assert_eq!(Format::from_path(Path::new("p.xhtml")), Some(Format::Html));
    assert_eq!(Format::from_path(Path::new("p.txt")), None);
    assert_eq!(Format::sniff("\u{feff}  <!DOCTYPE html><p>x"), Format::Html);
    assert_eq!(Format::sniff("<html lang=zh>"), Format::Html);
    assert_eq!(
        Format::sniff("<div><p>a</p><p>b</p><p>c</p><br><br></div>"),
        Format::Html
    );
    assert_eq!(
        Format::sniff("1. We collect your name.\n## Sharing\nUse <b>bold</b> and a <br> once.\n"),
        Format::Text
    );
    assert_eq!(
        Format::detect(Path::new("saved.txt"), "<!doctype html><p>x"),
        Format::Html
    );
    assert_eq!(
        Format::detect(Path::new("p.md"), "<!doctype html>"),
        Format::Markdown
    );
}

#[test]
fn text_passes_through_with_its_paragraphs() {
    let text = "Title\n\nFirst line\nsecond line\n\n\nLast";
    let c = convert(text, Format::Text);
    assert_eq!(c.text, text);
    assert_eq!(
        blocks_of(&c, BlockKind::Paragraph),
        vec!["Title", "First line\nsecond line", "Last"]
    );
}

/// Tag soup and Markdown soup from a fixed-seed generator: the conversion returns, its
/// ranges are ranges of the text, and the text keeps the dialect's shape.
#[test]
fn generated_soup_keeps_the_invariants() {
    const PIECES: &[&str] = &[
        "<p>",
        "</p>",
        "<li>",
        "</li>",
        "<ul>",
        "</ul>",
        "<ol>",
        "</ol>",
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        "</th>",
        "<thead>",
        "</thead>",
        "<h2>",
        "</h2>",
        "<br>",
        "<div>",
        "</div>",
        "<script>",
        "</script>",
        "<nav>",
        "</nav>",
        "<a href=\"https://x.example/p\">",
        "</a>",
        "<pre>",
        "</pre>",
        "<!--",
        "-->",
        "&amp;",
        "&#x4E2A;",
        "&bogus;",
        "我们会收集",
        "手机号码",
        "email address",
        " ",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "## ",
        "| a | b |\n|---|---|\n",
        "**",
        "`",
        "[x](https://y.example)",
        "\u{3000}",
        "（一）",
        "\u{0}",
        "<",
        ">",
        "\"",
        "é",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..2000 {
        let len = (next() % 60) as usize;
        let doc: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let format = if round % 2 == 0 {
            Format::Html
        } else {
            Format::Markdown
        };
        let c = convert(&doc, format);
        for b in &c.blocks {
            let Some(part) = c.text.get(b.range.clone()) else {
                panic!("{doc:?}: block {b:?} outside {:?}", c.text);
            };
            assert!(!part.trim().is_empty(), "{doc:?}: empty block {b:?}");
        }
        assert!(!c.text.contains("\n\n\n"), "{doc:?} → {:?}", c.text);
        assert!(
            c.text.is_empty() || c.text.ends_with('\n'),
            "{doc:?} → {:?}",
            c.text
        );
        assert!(!c.text.contains('\0'), "{doc:?} → {:?}", c.text);
        for line in c.text.lines() {
            assert_eq!(line, line.trim_end_matches(' '), "{doc:?}: trailing space");
        }
    }
}

#[test]
fn a_megabyte_page_converts_quickly() {
    let row = "<tr><td>示例SDK</td><td>设备标识、IP地址</td><td><a href=\"https://x.example/p\">隐私政策</a></td></tr>\n";
    let mut page = String::from("<html><body><h1>第三方SDK目录</h1><table>");
    while page.len() < 1 << 20 {
        page.push_str(row);
    }
    page.push_str("</table></body></html>");
    let started = std::time::Instant::now();
    let c = convert(&page, Format::Html);
    let took = started.elapsed();
    eprintln!("1 MiB HTML page: {took:?}");
    assert!(c.blocks.len() > 10_000);
    // A debug build; the bound catches super-linear behaviour, not speed.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}

#[test]
fn charset_declared_by_a_page() {
    let big5 = encoding_rs::BIG5;
    assert_eq!(
        declared_charset(b"<html><head><meta charset=\"big5\">"),
        Some(big5)
    );
    assert_eq!(
        declared_charset(
            b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=GB2312\">"
        ),
        Some(encoding_rs::GBK)
    );
    assert_eq!(
        declared_charset(b"<meta charset='utf-8'/>"),
        Some(encoding_rs::UTF_8)
    );
    assert_eq!(
        declared_charset(b"<meta name=\"viewport\" content=\"width=device-width\">"),
        None
    );
    assert_eq!(declared_charset(b"<meta charset=\"no-such-thing\">"), None);
    // UTF-16 cannot be declared by ASCII bytes; a truncated tag is no declaration.
    assert_eq!(declared_charset(b"<meta charset=\"utf-16\">"), None);
    assert_eq!(declared_charset(b"<meta charset"), None);
    let mut late = vec![b' '; 5000];
    late.extend_from_slice(b"<meta charset=\"big5\">");
    assert_eq!(declared_charset(&late), None);
}

#[test]
fn deep_nesting_stays_linear() {
    let mut page = "<ul><li>x".repeat(30_000);
    page.push_str(&"<h2>h".repeat(15_000));
    page.push_str(&"</p></td>".repeat(30_000));
    page.push_str(&"<table><tr><td>".repeat(15_000));
    let started = std::time::Instant::now();
    let c = html(&page);
    let took = started.elapsed();
    eprintln!("deeply nested page: {took:?}");
    assert!(c.text.contains('x') && c.text.contains('h'));
    // Quadratic work over 90 000 open blocks would take minutes.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let md_page = format!("{}x\n", "> - ".repeat(20_000));
    let started = std::time::Instant::now();
    let _ = md(&md_page);
    let took = started.elapsed();
    eprintln!("deeply nested Markdown: {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_table_that_lays_out_the_page_is_read_as_sections() {
    // The whole policy in one cell, its SDK list a table inside it.
    let page = "<table width=\"100%\"><tr><td class=\"left\">菜单</td><td>\
        <h1>隐私政策</h1><p>一、我们如何收集信息</p><p>我们会收集您的手机号码。</p>\
        <table><tr><th>SDK名称</th><th>收集信息</th></tr><tr><td>极光推送SDK</td><td>设备型号</td></tr></table>\
        <p>二、联系我们</p></td></tr></table>";
    let c = html(page);
    assert_eq!(
        c.text,
        "菜单\n\n隐私政策\n\n一、我们如何收集信息\n\n我们会收集您的手机号码。\n\nSDK名称 | 收集信息\n极光推送SDK | 设备型号\n\n二、联系我们\n"
    );
    let rows: Vec<&Block> = c
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].header, vec!["SDK名称", "收集信息"]);

    // No heading, but a cell as long as a policy.
    let long = format!(
        "<table><tr><td><p>{}</p><p>第二段。</p></td></tr></table>",
        "我们会收集您的信息。".repeat(200)
    );
    let c = html(&long);
    assert!(
        c.text.ends_with("。\n\n第二段。\n"),
        "{:?}",
        &c.text[c.text.len() - 40..]
    );
    assert!(!c.blocks.iter().any(|b| b.kind == BlockKind::TableRow));

    // A data table with long-ish cells and paragraphs in them stays a data table.
    let data = format!(
        "<table><tr><td><p>友盟统计SDK</p></td><td><p>{}</p><p>设备标识</p></td></tr></table>",
        "统计分析应用的使用情况，".repeat(20)
    );
    let c = html(&data);
    assert_eq!(c.text.lines().count(), 1, "{:?}", c.text);
    assert!(c.text.starts_with("友盟统计SDK | 统计分析"));
}

#[test]
fn spanned_cells_are_repeated_in_the_rows_they_cover() {
    let c = html(
        "<table><tr><th>类别</th><th>名称</th><th>用途</th></tr>\
         <tr><td rowspan=\"3\">推送类</td><td>A推送</td><td>通知</td></tr>\
         <tr><td>B推送</td><td>通知</td></tr>\
         <tr><td>C推送</td><td>通知</td></tr>\
         <tr><td colspan=\"2\">D</td><td>统计</td></tr>\
         <tr><td>E</td><td rowspan=\"2\">广告</td><td>投放</td></tr>\
         <tr><td>F</td></tr></table>",
    );
    let rows = blocks_of(&c, BlockKind::TableRow);
    assert_eq!(
        rows,
        [
            "类别 | 名称 | 用途",
            "推送类 | A推送 | 通知",
            "推送类 | B推送 | 通知",
            "推送类 | C推送 | 通知",
            "D | | 统计",
            "E | 广告 | 投放",
            "F | 广告",
        ],
        "{}",
        c.text
    );
    // A hostile span neither grows the text without bound nor panics.
    let c = html(
        "<table><tr><td rowspan=\"4294967296\" colspan=\"999999\">x</td></tr><tr><td>y</td></tr></table>",
    );
    assert!(c.text.len() < 2_000, "{}", c.text.len());
}

#[test]
fn spanning_cells_cannot_multiply_a_page() {
    // Every cell spans 64 rows and 64 columns: repeated in full, 150 KB of markup would
    // become hundreds of megabytes of text.
    let mut page = String::from("<table>");
    for _ in 0..40 {
        page.push_str("<tr>");
        for _ in 0..100 {
            page.push_str("<td rowspan=\"64\" colspan=\"64\">cell text</td>");
        }
        page.push_str("</tr>");
    }
    page.push_str("</table>");
    let c = html(&page);
    assert!(
        c.text.len() < 8 << 20,
        "{} bytes from {}",
        c.text.len(),
        page.len()
    );
}
