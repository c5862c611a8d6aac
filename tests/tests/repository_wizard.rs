//! The Add Backup Repository wizard in the real window, against moto: a
//! refused storage class and a refused immutability choice at the Bucket
//! step, Apply with its log, the repository in the list, and the Cloud
//! Credentials manager that never shows the secret.

use cairn_tests::services::{make_bucket, s3_endpoint};
use cairn_tests::webdriver::Window;

const SECRET: &str = "gui-secret-9f31c2";

fn title(w: &Window) -> String {
    w.texts(".wizard-step.active").join("")
}

fn next_to(w: &Window, step: &str) {
    w.click_on("#wiz-next");
    w.wait_until(&format!("step {step}"), |w| title(w) == step);
}

fn error(w: &Window) -> String {
    w.texts(".wiz-error").join(" ")
}

#[test]
fn adding_an_s3_compatible_repository_through_the_wizard() {
    let bucket = make_bucket(false);
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='repositories']");
    w.click_on("#ribbon-add-repository");
    w.click_on("#add-repo-s3c");
    w.wait_until("the wizard", |w| title(w) == "Name");
    // Name: empty is refused beside the field.
    w.click_on("#wiz-next");
    w.wait_until("empty name refused", |w| error(w).contains("name is empty"));
    w.screenshot("wizard-s3-1-name-error");
    let name = w.wait_for("#wiz-name");
    w.type_into(&name, "Offsite S3");
    let d = w.wait_for("#wiz-description");
    w.type_into(&d, "Copies for disasters");
    w.screenshot("wizard-s3-1-name");
    next_to(&w, "Account");
    for (id, v) in [
        ("#wiz-access-key", "AKIAGUI"),
        ("#wiz-secret", SECRET),
        ("#wiz-region", "us-east-1"),
    ] {
        let e = w.wait_for(id);
        w.type_into(&e, v);
    }
    let ep = w.wait_for("#wiz-endpoint");
    w.type_into(&ep, &s3_endpoint());
    w.screenshot("wizard-s3-2-account");
    next_to(&w, "Bucket");
    w.wait_until("the bucket list", |w| {
        w.texts("#wiz-bucket-list option").contains(&bucket)
    });
    w.choose("#wiz-bucket-list", &bucket);
    // A refused storage class is explained at this step.
    w.choose("#wiz-class", "standard-ia");
    w.click_on("#wiz-next");
    w.wait_until("storage class refused", |w| {
        error(w).contains("standard-ia is not supported")
    });
    w.screenshot("wizard-s3-3-bucket-refused-class");
    w.choose("#wiz-class", "standard");
    // Immutability needs Object Lock, which this bucket lacks.
    w.click_on("#wiz-immutable");
    w.click_on("#wiz-next");
    w.wait_until("immutability refused", |w| {
        error(w).contains("has no Object Lock")
    });
    w.screenshot("wizard-s3-3-bucket-refused-immutability");
    assert_eq!(title(&w), "Bucket", "still at the Bucket step");
    w.click_on("#wiz-immutable");
    let folder = w.wait_for("#wiz-folder");
    w.type_into(&folder, "cairn");
    next_to(&w, "Review");
    assert!(w
        .texts(".review dd")
        .iter()
        .any(|t| t == &format!("{bucket}/cairn")));
    w.screenshot("wizard-s3-4-review");
    next_to(&w, "Apply");
    let log = w.texts("#apply-log li");
    for expected in [
        "Credentials accepted",
        "Test object written",
        "Test object read back",
        "Test object deleted",
    ] {
        assert!(log.iter().any(|l| l == expected), "{expected} in {log:?}");
    }
    w.screenshot("wizard-s3-5-apply");
    next_to(&w, "Summary");
    w.screenshot("wizard-s3-6-summary");
    w.click_on("#wiz-next");
    w.wait_until("the wizard closed and the list refreshed", |w| {
        w.find_all(".wizard").is_empty()
            && w.texts(".data-table td")
                .contains(&"Offsite S3".to_string())
    });
    let cells = w.texts(".data-table td");
    assert!(
        cells.contains(&"S3 compatible".to_string()) && cells.contains(&format!("{bucket}/cairn")),
        "{cells:?}"
    );
    w.screenshot("wizard-s3-7-repository-listed");
    // The Cloud Credentials manager shows the key id and its use, never the secret.
    w.click_on("#app-menu");
    w.click_on("#menu-cloud-credentials");
    w.wait_until("the credentials", |w| {
        w.texts("#credentials-table td")
            .contains(&"S3 AKIAGUI".to_string())
    });
    assert!(
        w.texts("#credentials-table td")
            .contains(&"Offsite S3".to_string()),
        "used by"
    );
    assert!(
        !w.source().contains(SECRET),
        "the secret is not in the window"
    );
    w.screenshot("credentials-manager");
    w.click_on("#credentials-table button.danger");
    w.wait_until("delete refused while used", |w| {
        error(w).contains("used by repository Offsite S3")
    });
    drop(w);
    for (path, content) in cairn_tests::tree::snapshot(&data) {
        assert!(
            !String::from_utf8_lossy(&content).contains(SECRET),
            "secret leaked into {}",
            path.display()
        );
    }
}
