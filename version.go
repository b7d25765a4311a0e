package banklink

// Version is the SDK's version, sent in every User-Agent
// ("banklink-go/<Version> (<provider>; <go version>)"). It matches the
// newest version section of CHANGELOG.md.
const Version = "0.2.0"
