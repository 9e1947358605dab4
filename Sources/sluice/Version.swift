/// The release this build is, printed by `sluice --version`; raised with each release tag.
let sluiceVersion = "0.1.0"
