extension BuiltInSensors {
    /// `dlp-secrets`: credentials and key material in HTTP bodies (request or
    /// response, decoded) and in request URLs.
    ///
    /// Cloud keys (AWS key ids and secret keys, GCP API keys and service-account
    /// JSON), GitHub / Slack / Stripe tokens, PEM / OpenSSH / PGP private key blocks,
    /// JWTs, and passwords carried in URLs (`scheme://user:pass@host`, `password=`
    /// query parameters). A `password=` field in a POSTed login form is ordinary
    /// and deliberately NOT matched (body rules only look for URL userinfo).
    /// JWTs are not matched in headers: `Authorization: Bearer` is where they belong.
    /// Sample texts: Tests/Captures/sensors/samples/dlp-secrets.yaml.
    static let dlpSecrets = #"""
sensors:
  - name: dlp-secrets
    rules:
      # ---------------------------------------------------------- AWS
      - id: 1000101
        name: "AWS access key id"
        context: body
        patterns: ['\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}\b']
        severity: 2
        action: alert
      - id: 1000102
        name: "AWS access key id in URL"
        context: url
        patterns: ['\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}\b']
        severity: 2
        action: alert
      - id: 1000103
        name: "AWS secret access key"
        context: body
        patterns: ['\b(?:aws_?)?secret_?(?:access_?)?key["'']?\s{0,4}[:=]\s{0,4}["'']?[a-z0-9/+]{40}(?:[^a-z0-9/+=]|$)']
        nocase: true
        severity: 1
        action: alert
      # ---------------------------------------------------------- Google Cloud
      - id: 1000111
        name: "GCP API key"
        context: body
        patterns: ['\bAIza[0-9A-Za-z_-]{35}']
        severity: 2
        action: alert
      - id: 1000112
        name: "GCP service account key (JSON)"
        context: body
        patterns: ['"type"\s{0,4}:\s{0,4}"service_account"', '"private_key"\s{0,4}:\s{0,4}"-----BEGIN ']
        severity: 1
        action: alert
      # ---------------------------------------------------------- GitHub
      - id: 1000121
        name: "GitHub personal access token (ghp_)"
        context: body
        patterns: ['\bghp_[A-Za-z0-9]{36}\b']
        severity: 2
        action: alert
      - id: 1000122
        name: "GitHub OAuth access token (gho_)"
        context: body
        patterns: ['\bgho_[A-Za-z0-9]{36}\b']
        severity: 2
        action: alert
      - id: 1000123
        name: "GitHub user-to-server token (ghu_)"
        context: body
        patterns: ['\bghu_[A-Za-z0-9]{36}\b']
        severity: 2
        action: alert
      - id: 1000124
        name: "GitHub server-to-server token (ghs_)"
        context: body
        patterns: ['\bghs_[A-Za-z0-9]{36}\b']
        severity: 2
        action: alert
      - id: 1000125
        name: "GitHub refresh token (ghr_)"
        context: body
        patterns: ['\bghr_[A-Za-z0-9]{36,76}\b']
        severity: 2
        action: alert
      - id: 1000126
        name: "GitHub fine-grained personal access token (github_pat_)"
        context: body
        patterns: ['\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b']
        severity: 2
        action: alert
      - id: 1000127
        name: "GitHub token in URL"
        context: url
        patterns: ['\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b']
        severity: 2
        action: alert
      # ---------------------------------------------------------- other SaaS tokens
      - id: 1000131
        name: "Slack token"
        context: body
        patterns: ['\bxox[abposr]-(?:\d{1,20}-){1,3}[A-Za-z0-9-]{10,}']
        severity: 2
        action: alert
      - id: 1000132
        name: "Stripe live secret / restricted key"
        context: body
        patterns: ['\b[rs]k_live_[A-Za-z0-9]{24,}']
        severity: 2
        action: alert
      # ---------------------------------------------------------- private keys
      - id: 1000141
        name: "Private key: RSA (PEM)"
        context: body
        patterns: ['-----BEGIN RSA PRIVATE KEY-----(?:\r?\n|\\n|\s)+(?:Proc-Type:|[A-Za-z0-9+/]{16})']
        severity: 1
        action: alert
      - id: 1000142
        name: "Private key: EC (PEM)"
        context: body
        patterns: ['-----BEGIN EC PRIVATE KEY-----(?:\r?\n|\\n|\s)+(?:Proc-Type:|[A-Za-z0-9+/]{16})']
        severity: 1
        action: alert
      - id: 1000143
        name: "Private key: OpenSSH"
        context: body
        patterns: ['-----BEGIN OPENSSH PRIVATE KEY-----(?:\r?\n|\\n|\s)+[A-Za-z0-9+/]{16}']
        severity: 1
        action: alert
      - id: 1000144
        name: "Private key: PKCS#8 (PEM, plain or encrypted)"
        context: body
        patterns: ['-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----(?:\r?\n|\\n|\s)+[A-Za-z0-9+/]{16}']
        severity: 1
        action: alert
      - id: 1000145
        name: "Private key: DSA (PEM)"
        context: body
        patterns: ['-----BEGIN DSA PRIVATE KEY-----(?:\r?\n|\\n|\s)+(?:Proc-Type:|[A-Za-z0-9+/]{16})']
        severity: 1
        action: alert
      - id: 1000146
        name: "Private key: PGP secret key block"
        context: body
        patterns: ['-----BEGIN PGP PRIVATE KEY BLOCK-----']
        severity: 1
        action: alert
      # ---------------------------------------------------------- JWT
      - id: 1000151
        name: "JSON Web Token"
        context: body
        patterns: ['\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*']
        severity: 3
        action: alert
      - id: 1000152
        name: "JSON Web Token in URL"
        context: url
        patterns: ['\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*']
        severity: 3
        action: alert
      # ---------------------------------------------------------- passwords in URLs
      - id: 1000161
        name: "Credentials in URL userinfo (scheme://user:pass@host)"
        context: url
        patterns: ['\b[a-z][a-z0-9+.-]{1,15}://[^/\s:@?#]{1,64}:[^/\s@?#]{1,128}@[a-z0-9\[]']
        nocase: true
        severity: 3
        action: alert
      - id: 1000162
        name: "Credentials in URL userinfo inside a body (connection string)"
        context: body
        patterns: ['\b[a-z][a-z0-9+.-]{1,15}://[^/\s:@?#"''<>]{1,64}:[^/\s@?#"''<>]{1,128}@[a-z0-9\[]']
        nocase: true
        severity: 3
        action: alert
      - id: 1000163
        name: "Password in URL query parameter"
        context: url
        patterns: ['[?&;](?:password|passwd|pwd|pass|passphrase|secret)=[^&\s#]']
        nocase: true
        severity: 3
        action: alert
"""#
}
