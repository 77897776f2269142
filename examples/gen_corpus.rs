//! Generates a synthetic, deterministic corpus of wire stories for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- N DIR [--seed S]
//! ```
//!
//! Writes N stories as `DIR/YYYY/MM/story-NNNNNN.txt` in the agency's layout (see
//! `articles/2025/06/shos-ikt.txt`): headline; dateline + lead paragraph; body paragraphs one per
//! line; `ФОТО: credit`; ten blank lines; related headlines; trailing blank lines.
//!
//! * Headlines are Russian-looking phrases built from word lists, unique (after folding case,
//!   `ё` and quotes) except for ~2% of stories that deliberately share a headline with one or two
//!   others, so related-headline resolution has to pick the closest date.
//! * Dates are uniform over 2016-01-01..=2025-12-31, across a dozen cities; ~10% of datelines
//!   carry a time (`14:30`), ~3% use the Russian month form (`5 июня 2025 г.`).
//! * Each file is 4–7 KB: 3–8 body paragraphs after the lead, sized to a per-story target.
//! * 8–12 related headlines cite OTHER stories of the corpus, sometimes retyped the way a
//!   headline normaliser forgives (trailing period, «» → "", ё → е).
//!
//! Only `std`; a SplitMix64 generator seeded by `--seed` (default 1) makes the output
//! byte-identical across runs and machines.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// SplitMix64: tiny, fast, and good enough for synthetic text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// A generator for one story, independent of the order stories are generated in.
    fn for_story(seed: u64, stream: u64, index: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.0 ^= r
            .next()
            .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0), without modulo bias worth caring about for n ≪ 2^64.
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists. Headlines: SUBJECT VERB OBJECT PLACE (40^4 = 2.56 million combinations).

const SUBJECTS: &[&str] = &[
    "Представители министерства энергетики",
    "Делегации Таджикистана и Китая",
    "Специалисты Худжанда",
    "Фермеры Хатлонской области",
    "Учёные Академии наук",
    "Эксперты государств — членов ШОС",
    "Депутаты Маджлиси намояндагон",
    "Инженеры ОАХК «Барки Точик»",
    "Студенты технических вузов",
    "Туроператоры страны",
    "Предприниматели Согда",
    "Врачи столичных больниц",
    "Строители Рогунской ГЭС",
    "Энергетики региона",
    "Таможенники Таджикистана",
    "Дипломаты двух стран",
    "Участники международного форума",
    "Члены правительства",
    "Руководители портов",
    "Представители бизнеса",
    "Молодые исследователи",
    "Сотрудники налогового комитета",
    "Преподаватели университетов",
    "Садоводы Исфары",
    "Железнодорожники страны",
    "Банкиры Центральной Азии",
    "Экологи Памира",
    "Хлопкоробы Бохтара",
    "Металлурги ТАЛКО",
    "Программисты технопарка",
    "Инвесторы из Японии",
    "Партнёры из Узбекистана",
    "Участники выставки «Туризм-2025»",
    "Специалисты по связи",
    "Спасатели КЧС",
    "Аграрии Кулябского региона",
    "Журналисты НИАТ «Ховар»",
    "Представители ЮНИСЕФ",
    "Эксперты Всемирного банка",
    "Архитекторы столицы",
];

const VERBS: &[&str] = &[
    "обсудили",
    "представили",
    "подписали",
    "одобрили",
    "рассмотрели",
    "запустили",
    "презентовали",
    "утвердили",
    "открыли",
    "завершили",
    "начали",
    "поддержали",
    "изучили",
    "оценили",
    "наметили",
    "согласовали",
    "модернизировали",
    "продлили",
    "расширили",
    "укрепили",
    "обновили",
    "проверили",
    "обсудят",
    "представят",
    "подпишут",
    "рассмотрят",
    "запустят",
    "планируют расширить",
    "готовят",
    "анализируют",
    "внедряют",
    "развивают",
    "финансируют",
    "проектируют",
    "реконструируют",
    "вновь обсудили",
    "впервые представили",
    "успешно завершили",
    "досрочно сдали",
    "совместно разработали",
];

const OBJECTS: &[&str] = &[
    "проект «Безопасный город»",
    "новые тарифы на электроэнергию",
    "программу развития туризма",
    "соглашение о сотрудничестве",
    "план цифровой трансформации",
    "строительство логистического центра «Дусти»",
    "меры по противодействию коррупции",
    "модернизацию аэропортов",
    "инновационные методы в аграрном секторе",
    "технологии выращивания цикория",
    "экспорт сухофруктов",
    "реконструкцию автодороги Душанбе — Худжанд",
    "проект «Зелёная экономика»",
    "программу поддержки молодёжи",
    "производство солнечных панелей",
    "расширение сети 5G",
    "инвестиционный климат",
    "меморандум о взаимопонимании",
    "электронное правительство",
    "систему водоснабжения",
    "новый учебный центр",
    "вопросы продовольственной безопасности",
    "реформу здравоохранения",
    "торговый оборот",
    "маршруты грузоперевозок",
    "культурные связи",
    "фестиваль «Навруз»",
    "развитие малых ГЭС",
    "план по ирригации",
    "проект «Цифровой Таджикистан»",
    "сотрудничество в сфере образования",
    "программу энергосбережения",
    "ремонт школ",
    "выставку ремёсел",
    "рынок труда",
    "банковские услуги",
    "меры защиты ледников",
    "поставки хлопка",
    "строительство жилья",
    "производство тканей",
];

const PLACES: &[&str] = &[
    "в Душанбе",
    "в Худжанде",
    "в Бохтаре",
    "в Кулябе",
    "в Хатлонской области",
    "в Согдийской области",
    "в ГБАО",
    "в Ташкенте",
    "в Бишкеке",
    "в Алматы",
    "в Москве",
    "в Пекине",
    "в Токио",
    "в Актау",
    "в Кабуле",
    "в рамках ШОС",
    "на полях форума",
    "в Истаравшане",
    "в Гиссаре",
    "в Вахдате",
    "в Турсунзаде",
    "в Пенджикенте",
    "в Хороге",
    "в Раштской долине",
    "в районах республиканского подчинения",
    "на заседании правительства",
    "на международной конференции",
    "в режиме видеосвязи",
    "в рамках визита",
    "на круглом столе",
    "в текущем году",
    "до конца года",
    "в ближайшие два года",
    "на новом этапе",
    "при поддержке партнёров",
    "за счёт инвестиций",
    "в приграничных районах",
    "в сельской местности",
    "в столице",
    "в регионах страны",
];

// Body sentences: OPENER SUBJECT VERB OBJECT PLACE TAIL.

const OPENERS: &[&str] = &[
    "",
    "",
    "",
    "По словам участников встречи, ",
    "Как отметили в ведомстве, ",
    "Кроме того, ",
    "Напомним, что ",
    "В ходе встречи ",
    "Как сообщает пресс-служба, ",
    "По данным министерства, ",
    "В прошлом году ",
    "Особое внимание ",
    "Стороны также отметили, что ",
    "Вместе с тем ",
    "В результате ",
    "По итогам обсуждения ",
];

const TAILS: &[&str] = &[
    "",
    "",
    "",
    ", что позволит создать более 300 новых рабочих мест",
    ", сообщили НИАТ «Ховар» в пресс-службе ведомства",
    " — отметил заместитель министра",
    " в объёме 120 миллионов сомони",
    ", что на 12,5 процента больше, чем годом ранее",
    " с участием международных экспертов",
    " в соответствии с государственной программой",
    ", подчеркнув важность дальнейшего сотрудничества",
    " в интересах населения страны",
    " на период до 2030 года",
    ", уделив особое внимание вопросам безопасности",
    " при содействии партнёров по развитию",
    ", однако ряд вопросов ещё требует согласования",
];

const CREDITS: &[&str] = &[
    "НИАТ «Ховар»",
    "НИАТ «Ховар»",
    "НИАТ «Ховар»",
    "Секретариат ШОС",
    "Секретариат ШОС в Пекине",
    "пресс-служба ОАХК «Барки Точик»",
    "Министерство транспорта Республики Таджикистан",
    "Министерство энергетики и водных ресурсов",
    "пресс-служба Министерства иностранных дел",
    "архив НИАТ «Ховар»",
    "пресс-служба исполнительного органа власти",
    "Агентство по статистике",
];

const CITIES: &[&str] = &[
    "ДУШАНБЕ",
    "ХУДЖАНД",
    "БОХТАР",
    "КУЛЯБ",
    "ТАШКЕНТ",
    "БИШКЕК",
    "АЛМАТЫ",
    "МОСКВА",
    "ПЕКИН",
    "ТОКИО",
    "АКТАУ",
    "КАБУЛ",
];

const MONTHS_GENITIVE: &[&str] = &[
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

const AGENCY: &str = "НИАТ «Ховар»";

/// 2016-01-01 as days since 1970-01-01, and the number of days through 2025-12-31.
const FIRST_DAY: i64 = 16801;
const DAYS: u64 = 3653;

/// (year, month, day) of a day number since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Roughly what a headline normaliser folds: case, `ё`, quotes, trailing period.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '«' | '»' | '"'))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect::<String>()
        .trim_end_matches('.')
        .to_string()
}

/// A related headline as an editor might retype it.
fn retype(rng: &mut Rng, headline: &str) -> String {
    let mut s = headline.to_string();
    if rng.chance(60) && s.contains('ё') {
        s = s.replace('ё', "е");
    }
    if rng.chance(60) && s.contains('«') {
        s = s.replace(['«', '»'], "\"");
    }
    if rng.chance(60) {
        s.push('.');
    }
    s
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let opener = rng.pick(OPENERS);
    let subject = rng.pick(SUBJECTS);
    if opener.is_empty() {
        out.push_str(subject);
    } else {
        out.push_str(opener);
        // Lower-case the subject's first letter after an opener.
        let mut chars = subject.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_lowercase());
            out.push_str(chars.as_str());
        }
    }
    out.push(' ');
    out.push_str(rng.pick(VERBS));
    out.push(' ');
    out.push_str(rng.pick(OBJECTS));
    out.push(' ');
    out.push_str(rng.pick(PLACES));
    out.push_str(rng.pick(TAILS));
    out.push('.');
}

struct Story {
    headline: String,
    day: i64,
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_corpus N DIR [--seed S] [--companions]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut seed: u64 = 1;
    let mut companions = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => {
                let Some(s) = args.get(i + 1).and_then(|s| s.parse().ok()) else {
                    return usage();
                };
                seed = s;
                i += 2;
            }
            "--companions" => {
                companions = true;
                i += 1;
            }
            "-h" | "--help" => return usage(),
            a => {
                positional.push(a.to_string());
                i += 1;
            }
        }
    }
    let [n, dir] = positional.as_slice() else {
        return usage();
    };
    let Ok(n) = n.parse::<usize>() else {
        return usage();
    };
    match generate(n, Path::new(dir), seed, companions) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

/// With `companions`, every tenth story also gets a metadata sidecar and a photo beside it
/// (the same stories either way, for the benchmark's with/without comparison).
fn generate(n: usize, dir: &Path, seed: u64, companions: bool) -> io::Result<()> {
    let start = Instant::now();
    let stories = plan(n, seed);
    let width = n.saturating_sub(1).to_string().len().max(6);
    let mut created: HashSet<(i64, u32)> = HashSet::new();
    let mut total: u64 = 0;
    let mut buf = String::with_capacity(16 * 1024);
    for (i, story) in stories.iter().enumerate() {
        let mut rng = Rng::for_story(seed, 2, i as u64);
        let (y, m, d) = civil_from_days(story.day);
        buf.clear();
        render(&mut rng, i, story, (y, m, d), &stories, &mut buf);
        let folder: PathBuf = dir.join(format!("{y:04}")).join(format!("{m:02}"));
        if created.insert((y, m)) {
            fs::create_dir_all(&folder)?;
        }
        let path = folder.join(format!("story-{i:0width$}.txt"));
        let mut w = BufWriter::new(fs::File::create(&path)?);
        w.write_all(buf.as_bytes())?;
        w.flush()?;
        total += buf.len() as u64;
        if companions && i % 10 == 0 {
            let sidecar = format!(
                "tags = [\"бенчмарк\", \"тег-{}\"]\nauthor = \"Корреспондент {i}\"\ncaption = \"Фото к новости {i}\"\n",
                i % 7
            );
            fs::write(path.with_extension("toml"), &sidecar)?;
            let photo = png(160 + (i % 64) as u32, 90);
            fs::write(path.with_extension("png"), &photo)?;
            total += (sidecar.len() + photo.len()) as u64;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "gen_corpus: {n} files, {total} bytes ({:.1} MB) in {}, seed {seed}, {secs:.2} s",
        total as f64 / 1e6,
        dir.display()
    );
    Ok(())
}

/// A small valid PNG of `w`×`h` pixels, one flat colour (stored uncompressed: `std` has no
/// deflate, and a stored block is valid zlib).
fn png(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn adler32(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    // Each row: filter type 0, then the pixels.
    let mut row = vec![0u8];
    for _ in 0..w {
        row.extend([40, 90, 160]);
    }
    let raw = row.repeat(h as usize);
    // zlib header, then stored blocks of at most 65,535 bytes, then the Adler-32.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (n, block) in blocks.iter().enumerate() {
        z.push(u8::from(n + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(*block);
    }
    z.extend(adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Headlines and dates of every story, decided before any file is written so related headlines
/// can cite any story of the corpus.
fn plan(n: usize, seed: u64) -> Vec<Story> {
    let mut rng = Rng::new(seed ^ 0x5EED_0000_0000_0001);
    let mut seen: HashSet<String> = HashSet::with_capacity(n);
    let mut stories: Vec<Story> = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let headline = loop {
            let h = format!(
                "{} {} {} {}",
                rng.pick(SUBJECTS),
                rng.pick(VERBS),
                rng.pick(OBJECTS),
                rng.pick(PLACES)
            );
            if seen.insert(fold(&h)) {
                break h;
            }
        };
        let day = FIRST_DAY + rng.below(DAYS) as i64;
        stories.push(Story {
            headline: headline.clone(),
            day,
        });
        i += 1;
        // ~0.8% of stories start a group of 2–3 sharing one headline (≈2% of all stories).
        if rng.chance(8) {
            let extra = rng.range(1, 2) as usize;
            for _ in 0..extra.min(n - i) {
                let day = FIRST_DAY + rng.below(DAYS) as i64;
                stories.push(Story {
                    headline: headline.clone(),
                    day,
                });
                i += 1;
            }
        }
    }
    stories
}

fn render(
    rng: &mut Rng,
    index: usize,
    story: &Story,
    (y, m, d): (i64, u32, u32),
    all: &[Story],
    out: &mut String,
) {
    use std::fmt::Write as _;
    // Target size of the file, uniform over 4.15–6.75 KB; sentences may overshoot a little.
    let target = rng.range(4150, 6750) as usize;
    let body_paragraphs = rng.range(3, 8) as usize;

    // Related headlines first: their size is part of the budget.
    let mut related = String::new();
    if all.len() > 1 {
        let count = rng.range(8, 12) as usize;
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        let mut tries = 0;
        while chosen.len() < count.min(all.len() - 1) && tries < 100 {
            tries += 1;
            let j = rng.below(all.len() as u64) as usize;
            if j == index || chosen.contains(&j) || all[j].headline == story.headline {
                continue;
            }
            chosen.push(j);
            related.push_str(&retype(rng, &all[j].headline));
            related.push('\n');
        }
    }
    let credit = rng.pick(CREDITS);
    let trailing = rng.range(1, 6) as usize;

    out.push_str(&story.headline);
    out.push('\n');
    let city = rng.pick(CITIES);
    let _ = write!(out, "{city}, ");
    if rng.chance(30) {
        let _ = write!(out, "{d} {} {y} г.", MONTHS_GENITIVE[m as usize - 1]);
    } else {
        let _ = write!(out, "{d:02}.{m:02}.{y:04}");
        if rng.chance(100) {
            let _ = write!(out, " {:02}:{:02}", rng.below(24), rng.below(60));
        }
    }
    let _ = write!(out, " /{AGENCY}/. ");

    // Budget the lead and body paragraphs to reach the target size.
    let fixed = out.len() + "ФОТО: \n".len() + credit.len() + 10 + related.len() + trailing;
    let mut budget = target.saturating_sub(fixed);
    let paragraphs = body_paragraphs + 1;
    for p in 0..paragraphs {
        let share = budget / (paragraphs - p);
        let start = out.len();
        loop {
            sentence(rng, out);
            if out.len() - start >= share {
                break;
            }
            out.push(' ');
        }
        budget = budget.saturating_sub(out.len() - start + 1);
        out.push('\n');
    }
    let _ = writeln!(out, "ФОТО: {credit}");
    out.push_str("\n\n\n\n\n\n\n\n\n\n");
    out.push_str(&related);
    for _ in 0..trailing {
        out.push('\n');
    }
}
