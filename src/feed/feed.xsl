<?xml version="1.0" encoding="UTF-8"?>
<!--
  wirefeed's browser view of its RSS 2.0 and Atom 1.0 feeds (XSLT 1.0, for the libxslt of
  Chromium and xsltproc and for Firefox's TransforMiiX).

  A browser that opens a feed applies this stylesheet; feed readers never see it. Everything
  from the feed is written as text (xsl:value-of), never as markup: disable-output-escaping is
  ignored by Firefox and would let a story's markup run. RSS descriptions are HTML, so they are
  shown with their tags dropped and the common entities decoded, as text. Links are only made
  from http(s) URLs. No script, and a Content-Security-Policy that forbids any.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    exclude-result-prefixes="atom media dc content">

  <xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat" indent="yes"/>

  <!-- Summaries are leads: longer text is cut, which also bounds the recursion below. -->
  <xsl:variable name="summary-max" select="420"/>

  <!-- ru, tg or en: the banner and labels follow the feed's own language. -->
  <xsl:variable name="lang">
    <xsl:variable name="l" select="translate(substring(normalize-space((/rss/channel/language | /atom:feed/@xml:lang)[1]), 1, 2), 'RUTG', 'rutg')"/>
    <xsl:choose>
      <xsl:when test="$l = 'ru' or $l = 'tg'"><xsl:value-of select="$l"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <xsl:apply-templates select="rss/channel | atom:feed"/>
  </xsl:template>

  <xsl:template match="rss/channel">
    <xsl:call-template name="page">
      <xsl:with-param name="title">
        <xsl:call-template name="decode"><xsl:with-param name="text" select="title"/></xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="description" select="description"/>
      <xsl:with-param name="site" select="link"/>
      <xsl:with-param name="self" select="atom:link[@rel = 'self']/@href"/>
      <xsl:with-param name="items" select="item"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="atom:feed">
    <xsl:call-template name="page">
      <xsl:with-param name="title">
        <xsl:call-template name="text-construct"><xsl:with-param name="t" select="atom:title"/></xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="description" select="atom:subtitle"/>
      <xsl:with-param name="site" select="(atom:link[@rel = 'alternate' or not(@rel)])[1]/@href"/>
      <xsl:with-param name="self" select="atom:link[@rel = 'self']/@href"/>
      <xsl:with-param name="items" select="atom:entry"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="page">
    <xsl:param name="title"/>
    <xsl:param name="description"/>
    <xsl:param name="site"/>
    <xsl:param name="self"/>
    <xsl:param name="items"/>
    <html lang="{$lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src http: https:; style-src 'unsafe-inline'"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/></title>
        <style>
          :root { color-scheme: light dark; --fg: #1d1d1f; --muted: #5f6368; --bg: #fff;
                  --card: #f6f7f9; --line: #dfe3e8; --accent: #0b57d0; --note: #fff8e1; --noteline: #f0c36d; }
          @media (prefers-color-scheme: dark) {
            :root { --fg: #e8eaed; --muted: #a6acb4; --bg: #15171a; --card: #1f2226;
                    --line: #33383e; --accent: #8ab4f8; --note: #2b2616; --noteline: #7a6420; }
          }
          * { box-sizing: border-box; }
          body { margin: 0; background: var(--bg); color: var(--fg);
                 font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; }
          main { max-width: 46rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
          a { color: var(--accent); }
          .banner { background: var(--note); border: 1px solid var(--noteline); border-radius: .6rem;
                    padding: .8rem 1rem; margin: .5rem 0 1.5rem; }
          .banner p { margin: 0; }
          .banner .other { margin-top: .4rem; font-size: .85rem; color: var(--muted); }
          .banner code { display: block; margin-top: .5rem; padding: .4rem .6rem; background: var(--bg);
                         border: 1px solid var(--line); border-radius: .4rem; font-size: .9rem;
                         overflow-wrap: anywhere; user-select: all; }
          header h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .3rem; }
          header p { margin: 0 0 .3rem; color: var(--muted); }
          header { border-bottom: 1px solid var(--line); padding-bottom: 1rem; margin-bottom: .5rem; }
          article { display: flex; gap: 1rem; padding: 1.1rem 0; border-bottom: 1px solid var(--line); }
          article .text { flex: 1; min-width: 0; }
          article h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .3rem; overflow-wrap: anywhere; }
          article h2 a { text-decoration: none; }
          article h2 a:hover { text-decoration: underline; }
          .meta { font-size: .85rem; color: var(--muted); margin: 0 0 .4rem; }
          .summary { margin: 0; overflow-wrap: anywhere; }
          article img { flex: none; width: 9rem; height: 6.75rem; object-fit: cover; border-radius: .4rem;
                        background: var(--card); }
          @media (max-width: 34rem) {
            article { flex-direction: column-reverse; gap: .6rem; }
            article img { width: 100%; height: auto; max-height: 16rem; }
          }
          .empty { color: var(--muted); }
        </style>
      </head>
      <body>
        <main>
          <div class="banner">
            <p><strong><xsl:call-template name="banner"><xsl:with-param name="l" select="$lang"/></xsl:call-template></strong></p>
            <xsl:if test="$self">
              <code><xsl:value-of select="$self"/></code>
            </xsl:if>
            <p class="other">
              <!-- The same in the other two languages, for a reader of the other one. -->
              <xsl:if test="$lang != 'ru'"><span lang="ru"><xsl:call-template name="banner"><xsl:with-param name="l" select="'ru'"/></xsl:call-template></span><xsl:text> </xsl:text></xsl:if>
              <xsl:if test="$lang != 'tg'"><span lang="tg"><xsl:call-template name="banner"><xsl:with-param name="l" select="'tg'"/></xsl:call-template></span><xsl:text> </xsl:text></xsl:if>
              <xsl:if test="$lang != 'en'"><span lang="en"><xsl:call-template name="banner"><xsl:with-param name="l" select="'en'"/></xsl:call-template></span></xsl:if>
            </p>
          </div>
          <header>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:if test="normalize-space($description)">
              <p><xsl:value-of select="$description"/></p>
            </xsl:if>
            <xsl:if test="$site">
              <p>
                <xsl:call-template name="label"><xsl:with-param name="key" select="'site'"/></xsl:call-template>
                <xsl:text>: </xsl:text>
                <xsl:call-template name="link">
                  <xsl:with-param name="href" select="$site"/>
                  <xsl:with-param name="text" select="$site"/>
                </xsl:call-template>
              </p>
            </xsl:if>
          </header>
          <xsl:apply-templates select="$items"/>
          <xsl:if test="not($items)">
            <p class="empty"><xsl:call-template name="label"><xsl:with-param name="key" select="'empty'"/></xsl:call-template></p>
          </xsl:if>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <xsl:call-template name="entry">
      <xsl:with-param name="title">
        <xsl:call-template name="decode"><xsl:with-param name="text" select="title"/></xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="href" select="link"/>
      <xsl:with-param name="date">
        <xsl:call-template name="rfc822-date"><xsl:with-param name="d" select="normalize-space(pubDate)"/></xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="author" select="(dc:creator | author)[1]"/>
      <xsl:with-param name="photo" select="(media:content[@medium = 'image' or starts-with(@type, 'image/')]/@url | enclosure[starts-with(@type, 'image/')]/@url)[1]"/>
      <xsl:with-param name="alt" select="(media:content/media:description)[1]"/>
      <xsl:with-param name="summary">
        <xsl:call-template name="html-to-text">
          <xsl:with-param name="html" select="substring(description, 1, 4 * $summary-max)"/>
        </xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="atom:entry">
    <xsl:variable name="summary" select="(atom:summary | atom:content)[1]"/>
    <xsl:call-template name="entry">
      <xsl:with-param name="title">
        <xsl:call-template name="text-construct"><xsl:with-param name="t" select="atom:title"/></xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="href" select="(atom:link[@rel = 'alternate' or not(@rel)])[1]/@href"/>
      <xsl:with-param name="date">
        <xsl:variable name="d" select="(atom:published | atom:updated)[1]"/>
        <xsl:call-template name="date-time">
          <xsl:with-param name="date" select="substring($d, 1, 10)"/>
          <xsl:with-param name="time" select="substring($d, 12, 5)"/>
        </xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="author">
        <!-- A union is in document order, where the feed's author comes first. -->
        <xsl:choose>
          <xsl:when test="atom:author/atom:name"><xsl:value-of select="atom:author/atom:name"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="/atom:feed/atom:author/atom:name"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
      <xsl:with-param name="photo" select="(media:content[@medium = 'image' or starts-with(@type, 'image/')]/@url | atom:link[@rel = 'enclosure'][starts-with(@type, 'image/')]/@href)[1]"/>
      <xsl:with-param name="alt" select="(media:content/media:description)[1]"/>
      <xsl:with-param name="summary">
        <xsl:choose>
          <xsl:when test="$summary/@type = 'html'">
            <xsl:call-template name="html-to-text">
              <xsl:with-param name="html" select="substring($summary, 1, 4 * $summary-max)"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$summary"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="href"/>
    <xsl:param name="date"/>
    <xsl:param name="author"/>
    <xsl:param name="photo"/>
    <xsl:param name="alt"/>
    <xsl:param name="summary"/>
    <xsl:variable name="text" select="normalize-space($summary)"/>
    <article>
      <div class="text">
        <h2>
          <xsl:call-template name="link">
            <xsl:with-param name="href" select="$href"/>
            <xsl:with-param name="text" select="$title"/>
          </xsl:call-template>
        </h2>
        <p class="meta">
          <xsl:value-of select="normalize-space($date)"/>
          <xsl:if test="normalize-space($date) and normalize-space($author)"> · </xsl:if>
          <xsl:value-of select="$author"/>
        </p>
        <xsl:if test="$text">
          <p class="summary">
            <xsl:value-of select="substring($text, 1, $summary-max)"/>
            <xsl:if test="string-length($text) &gt; $summary-max">…</xsl:if>
          </p>
        </xsl:if>
      </div>
      <xsl:if test="$photo and (starts-with($photo, 'https://') or starts-with($photo, 'http://'))">
        <img src="{$photo}" loading="lazy">
          <xsl:attribute name="alt">
            <xsl:choose>
              <xsl:when test="normalize-space($alt)"><xsl:value-of select="normalize-space($alt)"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$title"/></xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
        </img>
      </xsl:if>
    </article>
  </xsl:template>

  <!-- "Wed, 18 Jun 2025 14:30:00 +0500" as "18 Jun 2025 14:30": the day name and zone are noise
       on a page of one agency's stories. A date of another shape is shown as it is. -->
  <xsl:template name="rfc822-date">
    <xsl:param name="d"/>
    <xsl:variable name="s">
      <xsl:choose>
        <xsl:when test="contains($d, ', ')"><xsl:value-of select="substring-after($d, ', ')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="rest" select="substring-after(substring-after(substring-after($s, ' '), ' '), ' ')"/>
    <xsl:choose>
      <xsl:when test="substring($rest, 3, 1) = ':'">
        <xsl:call-template name="date-time">
          <xsl:with-param name="date" select="substring($s, 1, string-length($s) - string-length($rest) - 1)"/>
          <xsl:with-param name="time" select="substring($rest, 1, 5)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Midnight is wirefeed's "time of day unknown" (Entry::timed), so the date stands alone. -->
  <xsl:template name="date-time">
    <xsl:param name="date"/>
    <xsl:param name="time"/>
    <xsl:value-of select="$date"/>
    <xsl:if test="$time != '00:00'"><xsl:value-of select="concat(' ', $time)"/></xsl:if>
  </xsl:template>

  <!-- A link only to an http(s) URL: a javascript: href from a foreign feed would run on a click. -->
  <xsl:template name="link">
    <xsl:param name="href"/>
    <xsl:param name="text"/>
    <xsl:variable name="url" select="normalize-space($href)"/>
    <xsl:variable name="scheme" select="translate(substring-before($url, ':'), 'HTPS', 'htps')"/>
    <xsl:choose>
      <xsl:when test="$scheme = 'https' or $scheme = 'http'">
        <a href="{$url}"><xsl:value-of select="$text"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The text of an Atom title: wirefeed sends a title holding & or < as type="html",
       HTML-escaped, so its references are decoded (as text, like everything else). -->
  <xsl:template name="text-construct">
    <xsl:param name="t"/>
    <xsl:choose>
      <xsl:when test="$t/@type = 'html'">
        <xsl:call-template name="html-to-text"><xsl:with-param name="html" select="$t"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$t"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The text of an HTML fragment: tags dropped (each leaves a space), entities decoded. The
       result is text, written escaped like everything else. -->
  <xsl:template name="html-to-text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="substring-before($html, '&lt;')"/>
        </xsl:call-template>
        <xsl:text> </xsl:text>
        <xsl:call-template name="html-to-text">
          <xsl:with-param name="html" select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="$html"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Decodes the entities a plain-text lead turns into when escaped as HTML; others stay. -->
  <xsl:template name="decode">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="contains($text, '&amp;')">
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:variable name="name" select="substring-before($rest, ';')"/>
        <xsl:variable name="char">
          <xsl:choose>
            <xsl:when test="$name = 'lt' or $name = '#60' or $name = '#x3C' or $name = '#x3c'">&lt;</xsl:when>
            <xsl:when test="$name = 'gt'">&gt;</xsl:when>
            <xsl:when test="$name = 'amp' or $name = '#38' or $name = '#x26'">&amp;</xsl:when>
            <xsl:when test="$name = 'quot' or $name = '#34' or $name = '#x22'">"</xsl:when>
            <xsl:when test="$name = 'apos' or $name = '#39' or $name = '#039' or $name = '#x27'">'</xsl:when>
            <xsl:when test="$name = 'nbsp' or $name = '#160'">&#160;</xsl:when>
          </xsl:choose>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string-length($char) &gt; 0">
            <xsl:value-of select="$char"/>
            <xsl:call-template name="decode">
              <xsl:with-param name="text" select="substring-after($rest, ';')"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:text>&amp;</xsl:text>
            <xsl:call-template name="decode">
              <xsl:with-param name="text" select="$rest"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="banner">
    <xsl:param name="l"/>
    <xsl:choose>
      <xsl:when test="$l = 'ru'">Это веб-лента. Чтобы подписаться, скопируйте её адрес в программу для чтения лент.</xsl:when>
      <xsl:when test="$l = 'tg'">Ин лентаи веб аст. Барои обуна шудан, суроғаи онро нусха бардоред ва ба барномаи хондани лентаҳо гузоред.</xsl:when>
      <xsl:otherwise>This is a web feed. To subscribe, copy its URL into your feed reader.</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="label">
    <xsl:param name="key"/>
    <xsl:choose>
      <xsl:when test="$key = 'site' and $lang = 'ru'">Сайт</xsl:when>
      <xsl:when test="$key = 'site' and $lang = 'tg'">Сомона</xsl:when>
      <xsl:when test="$key = 'site'">Website</xsl:when>
      <xsl:when test="$key = 'empty' and $lang = 'ru'">В ленте пока нет материалов.</xsl:when>
      <xsl:when test="$key = 'empty' and $lang = 'tg'">Дар лента ҳоло мавод нест.</xsl:when>
      <xsl:otherwise>No entries yet.</xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
