extension BuiltInSensors {
    /// `dlp-pii`: personal and payment data leaving in HTTP bodies (request or
    /// response, after de-chunking / decompression) and in URLs.
    ///
    /// - Payment cards: one rule per network, Luhn-validated (`validate: luhn`; the
    ///   engine strips the single space / dash separators the patterns allow).
    ///   Every card pattern is bounded by `\b` on both sides so it never matches
    ///   inside a longer digit run, and is bounded (no unbounded repeats) because
    ///   validated patterns are compiled with `HS_FLAG_SOM_LEFTMOST`.
    /// - US SSN: dashed form anywhere, or a bare 9-digit number only next to an
    ///   "SSN" / "social security" keyword (`validate: ssn`).
    /// - IBAN: ISO 13616 country prefix + check digits, mod-97 validated.
    /// - E-mail dumps: five or more addresses in a row (list, CSV line, JSON array).
    ///
    /// Only the `body` and `url` contexts: a second `response`-stream variant would
    /// double-report every plain HTTP leak; non-HTTP protocols are out of scope here.
    /// Sample texts: Tests/Captures/sensors/samples/dlp-pii.yaml.
    static let dlpPII = #"""
sensors:
  - name: dlp-pii
    rules:
      # ---------------------------------------------------------- payment cards
      - id: 1000001
        name: "Payment card number: Visa"
        context: body
        patterns: ['\b4\d{3}(?:[ -]?\d{4}){3}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000002
        name: "Payment card number: Mastercard (51-55, 2221-2720)"
        context: body
        patterns: ['\b(?:5[1-5]\d{2}|2(?:22[1-9]|2[3-9]\d|[3-6]\d{2}|7[01]\d|720))(?:[ -]?\d{4}){3}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000003
        name: "Payment card number: American Express"
        context: body
        patterns: ['\b3[47]\d{2}[ -]?\d{6}[ -]?\d{5}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000004
        name: "Payment card number: Discover"
        context: body
        patterns: ['\b6(?:011|4[4-9]\d|5\d{2})(?:[ -]?\d{4}){3}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000005
        name: "Payment card number: JCB"
        context: body
        patterns: ['\b35(?:2[89]|[3-8]\d)(?:[ -]?\d{4}){3}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000006
        name: "Payment card number: Diners Club"
        context: body
        patterns: ['\b3(?:0[0-5]|[689]\d)\d[ -]?\d{6}[ -]?\d{4}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000007
        name: "Payment card number: UnionPay"
        context: body
        patterns: ['\b62\d{2}(?:[ -]?\d{4}){3}\b']
        validate: luhn
        severity: 2
        action: alert
      - id: 1000010
        name: "Payment card number in URL"
        context: url
        patterns: ['\b(?:4\d{3}|5[1-5]\d{2}|2(?:22[1-9]|2[3-9]\d|[3-6]\d{2}|7[01]\d|720)|6(?:011|4[4-9]\d|5\d{2})|35(?:2[89]|[3-8]\d)|62\d{2})(?:[ -]?\d{4}){3}\b|\b3[47]\d{2}[ -]?\d{6}[ -]?\d{5}\b|\b3(?:0[0-5]|[689]\d)\d[ -]?\d{6}[ -]?\d{4}\b']
        validate: luhn
        severity: 2
        action: alert
      # ---------------------------------------------------------- US SSN
      - id: 1000020
        name: "US Social Security number (dashed)"
        context: body
        patterns: ['\b\d{3}-\d{2}-\d{4}\b']
        validate: ssn
        severity: 2
        action: alert
      - id: 1000021
        name: "US Social Security number near keyword"
        context: body
        patterns: ['\b\d{9}\b', '\b(?:ssn|ss#|social[ _-]?security(?:[ _-]?(?:number|no|num))?)\b[^0-9\n]{0,24}\d{9}\b']
        nocase: true
        validate: ssn
        severity: 2
        action: alert
      - id: 1000022
        name: "US Social Security number in URL"
        context: url
        patterns: ['\b\d{3}-\d{2}-\d{4}\b']
        validate: ssn
        severity: 2
        action: alert
      # ---------------------------------------------------------- IBAN
      - id: 1000030
        name: "IBAN bank account number"
        context: body
        patterns: ['\b(?:A[DELTZ]|B[AEGHRY]|C[HRYZ]|D[EKO]|E[EGS]|F[IOR]|G[BEILRT]|H[RU]|I[ELQST]|JO|K[WZ]|L[BCITUV]|M[CDEKRTU]|NL|NO|P[KLST]|QA|R[OS]|S[ACEIKMTV]|T[LNR]|UA|V[AG]|XK)\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b']
        validate: iban
        severity: 3
        action: alert
      # ---------------------------------------------------------- e-mail dumps
      - id: 1000040
        name: "E-mail address dump (5+ addresses in a row)"
        context: body
        patterns: ['(?:[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}[\s"'',;:<>{}\[\]]{1,6}(?:[a-z_]{1,16}[\s"'':=]{1,4})?){4}[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b']
        nocase: true
        severity: 3
        action: alert
"""#
}
