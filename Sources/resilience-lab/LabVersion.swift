/// The version `resilience-lab --version` prints.
///
/// Bumped by hand with each release, in the commit that tags it: then it is the tag (`1.2.0`) and the
/// heading of CHANGELOG.md's newest released entry (`## 1.2.0`). Between releases it is the next
/// version with `-dev` (the package has no release tag yet: `0.1.0-dev`). A test checks it against
/// CHANGELOG.md.
enum LabVersion {
    static let current = "0.1.0-dev"
}
