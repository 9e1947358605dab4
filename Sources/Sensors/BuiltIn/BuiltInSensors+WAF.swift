extension BuiltInSensors {
    /// `waf-core`: web attack classes in the normalized request URL, in each raw
    /// header line, and in (decoded) bodies, plus a few datastore-command rules.
    ///
    /// One rule per attack class and context, ids grouped by class:
    /// 1000201-239 SQL injection, 240-269 XSS, 270-289 path traversal,
    /// 290-309 OS command injection, 310-319 Log4Shell, 320-324 Shellshock,
    /// 325-329 PHP object injection, 330-339 Java deserialization,
    /// 340-349 SSRF to cloud metadata, 350-369 datastore commands (`query`).
    ///
    /// - `url` rules see the request target percent-decoded until stable, so they
    ///   match plain text only. `header` lines are raw, so header rules also accept
    ///   the common percent-encoded forms (`%3c`, `%24%7b`, `%2e%2e%2f`).
    /// - `body` covers response bodies too, so body rules are written to match
    ///   attack payloads, not ordinary HTML/JS/CSS: no bare `<script`, `on*=`,
    ///   `../` or `| sh`; a `<script>` must open with alert()/eval(), an event
    ///   handler must call a sink, traversal must reach a system directory.
    /// - SQL keywords only match with SQL syntax around them (`union select 1,2`,
    ///   `' or 'a'='a`, `;drop table`), never as words in prose.
    /// Severity 1: remote code execution class; 2: SQLi, XSS, traversal; 3: the rest.
    /// Sample texts: Tests/Captures/sensors/samples/waf-core.yaml.
    static let wafCore = #"""
sensors:
  - name: waf-core
    rules:
      # ================================================== SQL injection (201-239)
      - id: 1000201
        name: "SQL injection: UNION SELECT"
        context: url
        patterns: ['\bunion\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/|#[^\n]{0,40}\n|--[^\n]{0,40}\n)+(?:(?:all|distinct)\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)*)?select\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)*(?:null\b|\d|@@|\*|0x|[''"]|[a-z_][\w.$]{0,30}\s*(?:,|\(|\bfrom\b))']
        nocase: true
        severity: 2
        action: alert
      - id: 1000202
        name: "SQL injection: UNION SELECT in header"
        context: header
        patterns: ['(?:\b|%[0-9a-f]{2})union\b(?:[\s()+]|%20|%09|%0a|%28|%29|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)+(?:(?:all|distinct)\b(?:[\s()+]|%20|/\*[^*]{0,40}\*/)*)?select\b(?:[\s()+]|%20|%28|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)*(?:null\b|\d|@@|\*|0x|[''"]|%2[27]|[a-z_][\w.$]{0,30}(?:\s|%20|\+)*(?:,|%2c|\(|%28|\bfrom\b))']
        nocase: true
        severity: 2
        action: alert
      - id: 1000203
        name: "SQL injection: UNION SELECT in body"
        context: body
        patterns: ['\bunion\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)+(?:(?:all|distinct)\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)*)?select\b(?:[\s()+]|/\*[^*]{0,40}\*/|/\*!\d{0,5}|\*/)*(?:null\b|\d|@@|\*|0x|[''"]|[a-z_][\w.$]{0,30}\s*(?:,|\(|\bfrom\b))']
        nocase: true
        severity: 2
        action: alert
      - id: 1000204
        name: "SQL injection: quoted tautology (' or 'a'='a, ' or 1=1)"
        context: url
        patterns: ['[''"`]\s*\)*\s*(?:\b(?:or|and|xor)\b|\|\||&&)\s*\(*\s*(?:[''"][^''"]{0,32}[''"]|\d+(?:\.\d+)?|true\b|false\b|null\b)\s*(?:=|<>|!=|<=>|>=?|<=?|\blike\b)|[''"]\s*\)*\s*\b(?:or|and)\b\s+(?:true|false|\d+)\s*(?:--|#|/\*|;)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000205
        name: "SQL injection: quoted tautology in header"
        context: header
        patterns: ['(?:[''"`]|%2[27])(?:\s|%20|\+|\)|%29)*(?:(?:or|and|xor)\b|\|\||&&)(?:\s|%20|\+|\(|%28)*(?:[''"][^''"]{0,32}[''"]|%2[27][^''"%]{0,32}%2[27]|\d+|true\b)(?:\s|%20|\+)*(?:=|%3d|<>|!=|\blike\b)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000206
        name: "SQL injection: quoted tautology in body"
        context: body
        patterns: ['[''"`]\s*\)*\s*(?:\b(?:or|and|xor)\b|\|\||&&)\s*\(*\s*(?:[''"][^''"]{0,32}[''"]|\d+(?:\.\d+)?|true\b|false\b|null\b)\s*(?:=|<>|!=|<=>|>=?|<=?|\blike\b)|[''"]\s*\)*\s*\b(?:or|and)\b\s+(?:true|false|\d+)\s*(?:--|#|/\*|;)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000207
        name: "SQL injection: numeric tautology (1 or 1=1)"
        context: url
        patterns: ['\d\)*\s+(?:or|and|xor|\|\||&&)\s+\(*\d+\s*(?:=|<>|!=)\s*\(*\d+\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000208
        name: "SQL injection: numeric tautology in body"
        context: body
        patterns: ['\d\)*\s+(?:or|and|xor|\|\||&&)\s+\(*\d+\s*(?:=|<>|!=)\s*\(*\d+\s*(?:--|#|/\*|;|\)|$)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000209
        name: "SQL injection: stacked query (;drop / ;select / ;exec)"
        context: url
        patterns: [';\s*(?:drop\s+(?:table|database|schema|user|view|procedure|function)\b|select\b[\s(]*(?:\*|null\b|\d|@@|[a-z_][\w.]{0,30}\s*(?:,|\(|\bfrom\b))|insert\s+into\b|update\s+[\w.`"\[\]]{1,64}\s+set\b|delete\s+from\b|truncate\s+(?:table\s+)?\w|alter\s+(?:table|user|database)\b|create\s+(?:table|user|function|procedure|trigger)\b|exec(?:ute)?\s+(?:xp_|sp_|master\.)|declare\s+@|shutdown\b\s*(?:--|#|/\*|;|$)|grant\s+all\b)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000210
        name: "SQL injection: stacked query in header"
        context: header
        patterns: ['(?:;|%3b)(?:\s|%20|\+)*(?:drop(?:\s|%20|\+)+(?:table|database)\b|select\b(?:\s|%20|\+|\(|%28)*(?:\*|null\b|\d|@@|[a-z_][\w.]{0,30}(?:\s|%20|\+)*(?:,|%2c|\(|\bfrom\b))|insert(?:\s|%20|\+)+into\b|delete(?:\s|%20|\+)+from\b|exec(?:ute)?(?:\s|%20|\+)+(?:xp_|sp_|master\.)|declare(?:\s|%20|\+)+@|shutdown\b(?:\s|%20)*(?:--|#|;|$)|waitfor(?:\s|%20|\+)+delay\b)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000211
        name: "SQL injection: stacked query in body"
        context: body
        patterns: [';\s*(?:drop\s+(?:table|database|schema|user|view|procedure|function)\b|select\b[\s(]*(?:\*|null\b|\d|@@|[a-z_][\w.]{0,30}\s*(?:,|\(|\bfrom\b))|insert\s+into\b|update\s+[\w.`"\[\]]{1,64}\s+set\b|delete\s+from\b|truncate\s+(?:table\s+)?\w|alter\s+(?:table|user|database)\b|exec(?:ute)?\s+(?:xp_|sp_|master\.)|declare\s+@|shutdown\b\s*(?:--|#|/\*|;|$))']
        nocase: true
        severity: 2
        action: alert
      - id: 1000212
        name: "SQL injection: comment evasion (/**/, /*!...*/)"
        context: url
        patterns: ['\b(?:union|select|from|where|and|or|order|group|by|insert|into|values|sleep|benchmark|concat|having|limit)/\*[^*]{0,40}\*/|/\*!\d{0,5}\s*(?:select|union|and|or|from|where|sleep|concat|information_schema)\b|/\*[^*]{0,40}\*/\s*(?:select|union|from|where|and|or)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000213
        name: "SQL injection: comment evasion in header"
        context: header
        patterns: ['(?:\b|%[0-9a-f]{2})(?:union|select|from|where|and|or|order|group|by|insert|into|values|sleep|benchmark|concat|having|limit)(?:/\*|%2f%2a)[^*%]{0,40}(?:\*/|%2a%2f)|(?:/\*|%2f%2a)!\d{0,5}(?:\s|%20)*(?:select|union|and|or|from|where|sleep|concat)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000214
        name: "SQL injection: comment evasion in body"
        context: body
        patterns: ['\b(?:union|select|from|where|and|or|order|group|insert|into|values|sleep|benchmark|concat|having)/\*[^*]{0,40}\*/\s*(?:select|union|from|where|and|or|all|distinct|null|\d|\(|[''"]|@@|concat|sleep|information_schema)|/\*!\d{0,5}\s*(?:select|union|and|or|from|where|sleep|concat|information_schema)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000215
        name: "SQL injection: time-based blind (sleep, benchmark, pg_sleep, waitfor delay)"
        context: url
        patterns: ['(?:\b(?:and|or|xor|select|if|then|else|when|\|\|)|[''",(;&|=])\s*sleep\s*\(\s*\(?\s*\d+(?:\.\d+)?\s*\)?\s*\)|\bbenchmark\s*\(\s*\d{3,}\s*,|\bpg_sleep(?:_for|_until)?\s*\(|\bwaitfor\s+(?:delay|time)\s+[''"]\d|\bdbms_(?:lock\.sleep|pipe\.receive_message)\s*\(']
        nocase: true
        severity: 2
        action: alert
      - id: 1000216
        name: "SQL injection: time-based blind in header"
        context: header
        patterns: ['(?:(?:\b|%[0-9a-f]{2})(?:and|or|xor|select|if)\b|[''",(;]|%2[27]|%28|%2c)(?:\s|%20|\+)*sleep(?:\s|%20)*(?:\(|%28)(?:\s|%20)*\d+|\bbenchmark(?:\s|%20)*(?:\(|%28)(?:\s|%20)*\d{3,}|\bpg_sleep(?:\s|%20)*(?:\(|%28)|\bwaitfor(?:\s|%20|\+)+delay(?:\s|%20|\+)+(?:[''"]|%2[27])\d']
        nocase: true
        severity: 2
        action: alert
      - id: 1000217
        name: "SQL injection: time-based blind in body"
        context: body
        patterns: ['(?:\b(?:and|or|xor|select|if|then|else|when|\|\|)|[''",(;])\s*sleep\s*\(\s*\(?\s*\d+(?:\.\d+)?\s*\)?\s*\)|\bbenchmark\s*\(\s*\d{3,}\s*,|\bpg_sleep(?:_for|_until)?\s*\(\s*\d|\bwaitfor\s+(?:delay|time)\s+[''"]\d|\bdbms_(?:lock\.sleep|pipe\.receive_message)\s*\(']
        nocase: true
        severity: 2
        action: alert
      - id: 1000218
        name: "SQL injection: system catalog (information_schema, mysql.user, sysobjects)"
        context: url
        patterns: ['\binformation_schema\b|\bmysql\s*\.\s*(?:user|db)\b|\bsysobjects\b|\bsyscolumns\b|\bsys\s*\.\s*(?:objects|tables|columns|databases|sql_logins)\b|\bpg_catalog\s*\.|\bpg_(?:shadow|user|database)\b|\bsqlite_(?:master|schema)\b|\ball_tab(?:les|_columns)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000219
        name: "SQL injection: system catalog in body"
        context: body
        patterns: ['\bfrom\s+(?:information_schema|mysql\s*\.\s*user\b|sysobjects\b|sys\s*\.\s*(?:objects|tables|columns)\b|pg_catalog\s*\.|pg_shadow\b|sqlite_master\b|all_tables\b)|\binformation_schema\s*\.\s*(?:tables|columns|schemata|routines|user_privileges)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000220
        name: "SQL injection: system catalog in header"
        context: header
        patterns: ['\binformation_schema\b|\bmysql\.user\b|\bsysobjects\b|\bpg_shadow\b|\bsqlite_master\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000221
        name: "SQL injection: file read/write (load_file, into outfile, load data infile)"
        context: url
        patterns: ['\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\bload\s+data\s+(?:local\s+)?infile\b|\bpg_read_(?:binary_)?file\s*\(|\blo_import\s*\(|\butl_file\s*\.']
        nocase: true
        severity: 2
        action: alert
      - id: 1000222
        name: "SQL injection: file read/write in body"
        context: body
        patterns: ['\bload_file\s*\(\s*(?:[''"]|0x|char\s*\()|\binto\s+(?:out|dump)file\s+[''"]|\bload\s+data\s+(?:local\s+)?infile\s+[''"]|\bpg_read_(?:binary_)?file\s*\(\s*[''"]']
        nocase: true
        severity: 2
        action: alert
      - id: 1000223
        name: "SQL injection: quote closed by comment (admin'--, ')#)"
        context: url
        patterns: ['[''"]\s*\)*\s*(?:--(?:[\s-]|$)|#|;\s*--|/\*)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000224
        name: "SQL injection: OS command via database (xp_cmdshell, COPY PROGRAM)"
        context: url
        patterns: ['\bxp_cmdshell\b|\bsp_oacreate\b|\bcopy\s+[\w.()]{1,64}\s+(?:from|to)\s+program\b|\bsys_(?:exec|eval)\s*\(']
        nocase: true
        severity: 1
        action: alert
      - id: 1000225
        name: "SQL injection: OS command via database in body"
        context: body
        patterns: ['\bexec(?:ute)?\s+(?:master\s*\.\s*\.\s*|master\.dbo\.)?xp_cmdshell\b|\bsp_oacreate\b|\bcopy\s+[\w.()]{1,64}\s+(?:from|to)\s+program\s+[''"]|\bsys_(?:exec|eval)\s*\(\s*[''"]']
        nocase: true
        severity: 1
        action: alert
      # ================================================== XSS (240-269)
      - id: 1000240
        name: "XSS: script tag"
        context: url
        patterns: ['<\s*/?\s*script\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000241
        name: "XSS: script tag in header"
        context: header
        patterns: ['(?:<|%3c|\\u003c|\\x3c)\s*(?:/|%2f)?\s*script\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000242
        name: "XSS: script tag with payload in body"
        context: body
        patterns: ['<script\b[^>]{0,200}>\s{0,20}(?:alert|prompt|confirm|eval|atob|print)\s*[(\x60]|<script\b[^>]{0,200}>[^<]{0,200}string\s*\.\s*fromcharcode\s*\(|<script\b[^>]{0,200}\bsrc\s*=\s*[''"]?\s*(?:data:|javascript:)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000243
        name: "XSS: javascript:/vbscript:/data:text/html URI"
        context: url
        patterns: ['\bj\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:|\bvbscript\s*:|\blivescript\s*:|\bdata\s*:\s*text/html\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000244
        name: "XSS: javascript: URI in header"
        context: header
        patterns: ['\b(?:java|vb|live)script(?:\s|%20|%09)*(?::|%3a)|\bdata(?::|%3a)text/html\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000245
        name: "XSS: javascript: URI with payload in body"
        context: body
        patterns: ['\bjavascript\s*:\s*(?:alert|prompt|confirm|eval|fetch|atob|import)\s*[(\x60]|\bjavascript\s*:[^"''<>]{0,80}document\s*\.\s*cookie|\bdata\s*:\s*text/html\s*[;,][^"''>]{0,40}(?:<script|base64,PHNjcmlwd)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000246
        name: "XSS: event handler in tag or attribute breakout (onerror=, <svg/onload=)"
        context: url
        patterns: ['<[a-z][\w:-]{0,20}[\s/+][^>]{0,200}\bon[a-z]{3,30}\s*=|[''"][\s/]+on[a-z]{3,30}\s*=']
        nocase: true
        severity: 2
        action: alert
      - id: 1000247
        name: "XSS: event handler in tag in header"
        context: header
        patterns: ['(?:<|%3c)[a-z][\w:-]{0,20}(?:[\s/+]|%20|%2f|%09)(?:[^>]{0,200}(?:[\s/+"'']|%2[0f27]|%09))?on[a-z]{3,30}(?:\s|%20)*(?:=|%3d)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000248
        name: "XSS: event handler calling a sink in body"
        context: body
        patterns: ['<[a-z][\w:-]{0,20}[\s/][^>]{0,200}\bon(?:error|load|mouseover|mouseenter|focus|focusin|blur|toggle|begin|animationstart|animationend|transitionend|pageshow|pointerover|start|finish)\s*=\s*[''"]?\s*(?:(?:alert|prompt|confirm|eval|fetch|atob|import)\s*[(\x60]|document\s*\.\s*cookie|(?:top\.|window\.|document\.)?location(?:\.href)?\s*=)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000249
        name: "XSS: iframe/object/embed source injection"
        context: url
        patterns: ['<\s*(?:iframe|frame|object|embed|base)\b[^>]{0,200}\b(?:src|data|srcdoc|href)\s*=']
        nocase: true
        severity: 2
        action: alert
      - id: 1000250
        name: "XSS: iframe/object/embed in header"
        context: header
        patterns: ['(?:<|%3c)(?:iframe|frame|object|embed)\b[^>]{0,200}\b(?:src|data|srcdoc)(?:=|%3d)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000251
        name: "XSS: iframe/object with script source in body"
        context: body
        patterns: ['<(?:iframe|frame|object|embed)\b[^>]{0,200}\b(?:src|data)\s*=\s*[''"]?\s*(?:javascript:|vbscript:|data:text/html)|<iframe\b[^>]{0,200}\bsrcdoc\s*=\s*[''"]?[^>]{0,100}(?:<|&lt;)script']
        nocase: true
        severity: 2
        action: alert
      - id: 1000252
        name: "XSS: document.cookie access"
        context: url
        patterns: ['\bdocument\s*\.\s*cookie\b|\bdocument\s*\[\s*[''"]cookie[''"]\s*\]']
        nocase: true
        severity: 2
        action: alert
      - id: 1000253
        name: "XSS: document.cookie in header"
        context: header
        patterns: ['\bdocument(?:\s|%20)*\.(?:\s|%20)*cookie\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000254
        name: "XSS: document.cookie sent off-site in body"
        context: body
        patterns: ['(?:fetch\s*\(|new\s+image\b|\blocation(?:\.href)?\s*=|\.src\s*=|sendbeacon\s*\(|xmlhttprequest)[^;<]{0,120}document\s*\.\s*cookie']
        nocase: true
        severity: 2
        action: alert
      - id: 1000255
        name: "XSS: JavaScript context breakout (';alert(1)//)"
        context: url
        patterns: ['[''"`]\s*[-+;,)*/|&]\s*(?:alert|prompt|confirm|eval)\s*[(\x60]|\bstring\s*\.\s*fromcharcode\s*\(|\beval\s*\(\s*(?:atob|unescape|decodeuricomponent)\s*\(']
        nocase: true
        severity: 2
        action: alert
      # ================================================== path traversal (270-289)
      - id: 1000270
        name: "Path traversal: repeated ../"
        context: url
        patterns: ['(?:\.{2,}(?:;[^/]{0,20})?[/\\]+){2,}']
        severity: 2
        action: alert
      - id: 1000271
        name: "Path traversal: repeated ../ in header (raw or encoded)"
        context: header
        patterns: ['(?:(?:\.|%2e|%252e|%c0%ae){2,}(?:/|\\|%2f|%5c|%252f|%255c|%c0%af)+){2,}']
        nocase: true
        severity: 2
        action: alert
      - id: 1000272
        name: "Path traversal: ../ to a system directory in body"
        context: body
        patterns: ['(?:\.{2,}(?:/{1,2}|\\{1,2})){2,}(?:etc|windows|winnt|boot|proc|usr/local|var/(?:log|www|lib)|root|home|\.ssh|system32|inetpub|web-inf)\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000273
        name: "Path traversal: sensitive Unix file (/etc/passwd, /proc/self)"
        context: url
        patterns: ['/etc/(?:passwd|shadow|group|gshadow|sudoers|hosts|crontab|issue|hostname|master\.passwd)\b|/proc/(?:self|\d+)/(?:environ|cmdline|maps|mem|fd|status|cwd)\b|/\.ssh/(?:id_[a-z0-9]+|authorized_keys|known_hosts)\b|/\.(?:bash_history|htpasswd|env)\b|/\.git/(?:config|HEAD)\b']
        severity: 2
        action: alert
      - id: 1000274
        name: "Path traversal: sensitive Unix file in body"
        context: body
        patterns: ['(?:file://|\.\./|[''":=]\s*)/etc/(?:passwd|shadow|sudoers|group)\b|/proc/self/(?:environ|cmdline|maps|mem)\b|(?:\.\./){1,}\.ssh/(?:id_[a-z0-9]+|authorized_keys)\b']
        severity: 2
        action: alert
      - id: 1000275
        name: "Path traversal: Windows system file (win.ini, system32)"
        context: url
        patterns: ['\b(?:win|system|boot)\.ini\b|/windows/system32\b|\bc:/windows\b|/inetpub/|\bweb-inf/web\.xml\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000276
        name: "Path traversal: Windows system file in body"
        context: body
        patterns: ['(?:\.\.[/\\]{1,2}|\bc:[/\\]{1,2})(?:[\w.-]{1,40}[/\\]{1,2}){0,3}(?:win\.ini|system\.ini|boot\.ini|windows[/\\]{1,2}system32)\b|\bweb-inf[/\\]web\.xml\b']
        nocase: true
        severity: 2
        action: alert
      - id: 1000277
        name: "Path traversal: NUL byte in URL"
        context: url
        patterns: ['\x00']
        severity: 2
        action: alert
      - id: 1000278
        name: "Path traversal: /etc/passwd or win.ini contents in body"
        context: body
        patterns: ['\broot:[x*!]?:0:0:[^\n]{0,64}:/[a-z/]{0,20}:/[a-z/]{1,20}sh\b|\[(?:fonts|extensions)\]\r?\n[^\[]{0,200}\[(?:mci extensions|files|extensions)\]|; for 16-bit app support']
        severity: 2
        action: alert
      # ================================================== OS command injection (290-309)
      - id: 1000290
        name: "OS command injection: shell metacharacter + command"
        context: url
        patterns: ['(?:[;|`\n]|&&|\|\||\$\(|\$\{IFS\})\s*(?:/(?:usr/)?s?bin/)?(?:id|whoami|uname|cat|wget|curl|nc|ncat|netcat|bash|sh|zsh|dash|ksh|python[23]?|perl|ruby|php|ping|nslookup|dig|ls|rm|chmod|echo|sleep|powershell|cmd(?:\.exe)?|busybox|telnet|socat|tftp|certutil|base64)(?:\s|$|[;|&`)<>]|\$\{IFS\})']
        severity: 1
        action: alert
      - id: 1000291
        name: "OS command injection in header"
        context: header
        patterns: ['(?:[;|`]|&&|\|\||\$\(|%3b|%7c|%60|%24%28|\$\{IFS\})(?:\s|%20|\+)*(?:/(?:usr/)?s?bin/)?(?:id|whoami|uname|cat|wget|curl|nc|ncat|netcat|bash|sh|python[23]?|perl|ping|nslookup|ls|rm|echo|sleep|powershell|cmd(?:\.exe)?|busybox|telnet|socat)(?:\s|%20|\+|$|[;|&`)<>]|%3b|%7c|%60|%29|\$\{IFS\})']
        nocase: true
        severity: 1
        action: alert
      - id: 1000292
        name: "OS command injection in body"
        context: body
        patterns: ['(?:[;|`]|&&|\|\||\$\()\s*(?:/(?:usr/)?s?bin/)?(?:id\s*(?:[;|&`)]|$)|whoami\b|uname\s+-[a-z]+|cat\s+/etc/|wget\s+(?:-\S+\s+)*(?:https?|ftp)://|curl\s+(?:-\S+\s+)*(?:https?|ftp)://|(?:nc|ncat|netcat)\s+(?:-\S+\s+(?:/\S+\s+)?)*(?:\d{1,3}\.){3}\d{1,3}|(?:ba|z|da|k)?sh\s+-[ci]\b|python[23]?\s+-c\b|perl\s+-e\b|powershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|c|command|nop)\b|ping\s+-[cn]\s+\d|sleep\s+\d+\s*(?:[;|&`)]|$))']
        nocase: true
        severity: 1
        action: alert
      - id: 1000293
        name: "OS command injection: shell invocation or reverse shell"
        context: url
        patterns: ['/(?:usr/)?bin/(?:ba|z|da|k)?sh\b|\b(?:ba|z|da|k)?sh\s+-[ci]\s|\bcmd(?:\.exe)?\s+/[ck]\s|\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|nop|c|command)\b|/dev/(?:tcp|udp)/']
        nocase: true
        severity: 1
        action: alert
      - id: 1000294
        name: "OS command injection: shell invocation in header"
        context: header
        patterns: ['/(?:usr/)?bin/(?:ba|z|da|k)?sh\b|\b(?:ba|z|da|k)?sh(?:\s|%20|\+)+-[ci]\b|/dev/(?:tcp|udp)/']
        nocase: true
        severity: 1
        action: alert
      - id: 1000295
        name: "OS command injection: reverse shell in body"
        context: body
        patterns: ['/dev/(?:tcp|udp)/\d{1,3}(?:\.\d{1,3}){3}/\d{1,5}|\bnc(?:at)?\s+(?:-\S+\s+)*-e\s+/bin/|\bmkfifo\s+/tmp/\S+\s*;|\bsocket\.socket\([^)]{0,60}\)[^\n]{0,200}\bdup2\(']
        nocase: true
        severity: 1
        action: alert
      # ================================================== Log4Shell (310-319)
      - id: 1000310
        name: "Log4Shell: JNDI lookup"
        context: url
        patterns: ['\$\{\s*jndi\s*:']
        nocase: true
        severity: 1
        action: alert
      - id: 1000311
        name: "Log4Shell: obfuscated nested lookup (${${lower:j}ndi:)"
        context: url
        patterns: ['\$\{[^\s}]{0,12}\$\{\s*(?:lower|upper|::-|env|sys|date|k8s|main|java|base64|jndi|docker|spring|bundle|ctx|sd|web|log4j|event|marker|map)\b']
        nocase: true
        severity: 1
        action: alert
      - id: 1000312
        name: "Log4Shell: JNDI lookup in header"
        context: header
        patterns: ['(?:\$|%24)(?:\{|%7b)(?:\s|%20)*jndi(?:\s|%20)*(?::|%3a)']
        nocase: true
        severity: 1
        action: alert
      - id: 1000313
        name: "Log4Shell: obfuscated nested lookup in header"
        context: header
        patterns: ['(?:\$|%24)(?:\{|%7b)[^\s}%]{0,12}(?:\$|%24)(?:\{|%7b)\s*(?:lower|upper|::-|env|sys|date|k8s|main|java|base64|jndi|docker|spring|bundle|ctx|sd|web|log4j|event|marker|map)\b']
        nocase: true
        severity: 1
        action: alert
      - id: 1000314
        name: "Log4Shell: JNDI lookup in body"
        context: body
        patterns: ['\$\{\s*jndi\s*:']
        nocase: true
        severity: 1
        action: alert
      - id: 1000315
        name: "Log4Shell: obfuscated nested lookup in body"
        context: body
        patterns: ['\$\{[^\s}]{0,12}\$\{\s*(?:lower|upper|::-|env|sys|date|k8s|main|java|base64|jndi|docker|spring|bundle|ctx|sd|web|log4j|event|marker|map)\b']
        nocase: true
        severity: 1
        action: alert
      # ================================================== Shellshock (320-324)
      - id: 1000320
        name: "Shellshock: function definition in header"
        context: header
        patterns: ['\(\s*\)\s*\{']
        severity: 1
        action: alert
      - id: 1000321
        name: "Shellshock: function definition in URL"
        context: url
        patterns: ['(?:^|[=?&/\s:])\(\s*\)\s*\{[^}]{0,40}[;}]']
        severity: 1
        action: alert
      # ================================================== PHP object injection (325-329)
      - id: 1000325
        name: "PHP object injection: serialized object"
        context: url
        patterns: ['\b[OC]:\d{1,6}:"[A-Za-z_\\][\w\\]{0,150}":\d{1,6}:\{']
        severity: 1
        action: alert
      - id: 1000326
        name: "PHP object injection: serialized object in header (cookie)"
        context: header
        patterns: ['\b[OC](?::|%3a)\d{1,6}(?::|%3a)(?:"|%22)[A-Za-z_\\][\w\\]{0,150}(?:"|%22)(?::|%3a)\d{1,6}(?::|%3a)(?:\{|%7b)']
        nocase: true
        severity: 1
        action: alert
      - id: 1000327
        name: "PHP object injection: serialized object in body"
        context: body
        patterns: ['\b[OC]:\d{1,6}:"[A-Za-z_\\][\w\\]{0,150}":\d{1,6}:\{']
        severity: 1
        action: alert
      # ================================================== Java deserialization (330-339)
      - id: 1000330
        name: "Java deserialization: base64 object stream (rO0AB)"
        context: url
        patterns: ['\brO0AB[A-Za-z0-9+/_ -]']
        severity: 1
        action: alert
      - id: 1000331
        name: "Java deserialization: base64 object stream in header"
        context: header
        patterns: ['rO0AB[A-Za-z0-9+/_%-]']
        severity: 1
        action: alert
      - id: 1000332
        name: "Java deserialization: object stream in body (raw, hex or base64)"
        context: body
        patterns: ['\xac\xed\x00\x05[\x70-\x7e]|\b(?i:aced0005)(?i:7[0-9a-e])|\brO0AB[A-Za-z0-9+/]']
        severity: 1
        action: alert
      - id: 1000333
        name: "Java code execution: java.lang.Runtime / ProcessBuilder"
        context: url
        patterns: ['\bjava\.lang\.(?:Runtime|ProcessBuilder)\b|\bgetRuntime\s*\(\s*\)\s*\.\s*exec\s*\(']
        severity: 1
        action: alert
      - id: 1000334
        name: "Java code execution in header"
        context: header
        patterns: ['\bjava\.lang\.(?:Runtime|ProcessBuilder)\b|\bgetRuntime\s*\(\s*\)\s*\.\s*exec\s*\(']
        severity: 1
        action: alert
      - id: 1000335
        name: "Java code execution in body"
        context: body
        patterns: ['\bjava\.lang\.(?:Runtime|ProcessBuilder)\b|\bgetRuntime\s*\(\s*\)\s*\.\s*exec\s*\(']
        severity: 1
        action: alert
      # ================================================== SSRF to cloud metadata (340-349)
      - id: 1000340
        name: "SSRF: cloud metadata address"
        context: url
        patterns: ['\b169\.254\.169\.254\b|\b169\.254\.170\.2\b|\bmetadata\.google\.internal\b|\bmetadata\.azure\.internal\b|fd00:ec2::254|\b100\.100\.100\.200\b|://(?:2852039166|0xa9fea9fe|0251\.0376\.0251\.0376|0xa9\.0xfe\.0xa9\.0xfe)\b']
        nocase: true
        severity: 3
        action: alert
      - id: 1000341
        name: "SSRF: cloud metadata address in body"
        context: body
        patterns: ['\b169\.254\.169\.254\b|\b169\.254\.170\.2\b|\bmetadata\.google\.internal\b|fd00:ec2::254|\b100\.100\.100\.200\b|://(?:2852039166|0xa9fea9fe|0251\.0376\.0251\.0376)\b']
        nocase: true
        severity: 3
        action: alert
      # ================================================== datastore commands (350-369)
      - id: 1000350
        name: "SQL: file read/write from a query (INTO OUTFILE, LOAD_FILE, pg_read_file)"
        context: query
        patterns: ['\binto\s+(?:out|dump)file\b|\bload_file\s*\(|\bpg_read_(?:binary_)?file\s*\(|\blo_import\s*\(']
        nocase: true
        severity: 1
        action: alert
      - id: 1000351
        name: "SQL: OS command from a query (xp_cmdshell, COPY ... PROGRAM)"
        context: query
        patterns: ['\bxp_cmdshell\b|\bcopy\b[^;]{0,200}\b(?:from|to)\s+program\b|\bsys_(?:exec|eval)\s*\(|\bsp_oacreate\b']
        nocase: true
        severity: 1
        action: alert
      - id: 1000352
        name: "SQL: tautology in a query (OR 1=1, OR 'a'='a')"
        context: query
        patterns: ['\bor\s+(?:\d+\s*=\s*\d+|''[^'']{0,32}''\s*=\s*''[^'']{0,32}'')\s*(?:--|#|/\*|;|\)|$)']
        nocase: true
        severity: 2
        action: alert
      - id: 1000353
        name: "Redis: CONFIG SET dir/dbfilename (file write)"
        context: query
        patterns: ['\bconfig\s+set\s+(?:dir|dbfilename)\b']
        nocase: true
        severity: 1
        action: alert
      - id: 1000354
        name: "Redis: replication to a remote host (SLAVEOF/REPLICAOF)"
        context: query
        patterns: ['\b(?:slaveof|replicaof)\s+(?:(?:\d{1,3}\.){3}\d{1,3}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)\s+\d']
        nocase: true
        severity: 1
        action: alert
      - id: 1000355
        name: "Redis: MODULE LOAD"
        context: query
        patterns: ['(?:^|[\r\n])\s*module\s+load\b']
        nocase: true
        severity: 1
        action: alert
      - id: 1000356
        name: "Redis: Lua sandbox escape (package.loadlib, io.popen, os.execute)"
        context: query
        patterns: ['\beval(?:sha)?\b[^\n]{0,2000}\b(?:package\s*\.\s*loadlib|io\s*\.\s*popen|os\s*\.\s*execute|loadstring)\b']
        nocase: true
        severity: 1
        action: alert
"""#
}
