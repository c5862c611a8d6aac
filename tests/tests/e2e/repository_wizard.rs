//! The Add Backup Repository wizard in the real window, against moto: a
//! refused storage class and a refused immutability choice at the Bucket
//! step, the folder browser with New folder, Apply with its log, the
//! repository in the list, Edit of the saved repository, and the Cloud
//! Credentials and Credentials managers that never show a secret.

use cairn_tests::services::{block_on, make_bucket, s3_client, s3_endpoint};
use cairn_tests::webdriver::Window;

const SECRET: &str = "gui-secret-9f31c2";
const ACCOUNT_PASSWORD: &str = "gui-account-pw-77a0";

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
    // Something already in the bucket for the folder browser to show.
    block_on(async {
        s3_client()
            .put_object()
            .bucket(&bucket)
            .key("existing/sub/file.txt")
            .body(b"x".to_vec().into())
            .send()
            .await
            .expect("put");
    });
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
    // Browse… lists the bucket's folders; a folder opens, ".." goes up, and
    // New folder names one that Apply creates.
    w.click_on("#wiz-browse");
    w.wait_until("the bucket's folders", |w| {
        w.find_all("[data-folder='existing']").len() == 1
    });
    w.click_on("[data-folder='existing']");
    w.wait_until("inside existing/", |w| {
        w.find_all("[data-folder='sub']").len() == 1
    });
    w.screenshot("wizard-s3-3-bucket-browse");
    w.click_on(".folder-item.up");
    w.wait_until("back at the root", |w| {
        w.find_all("[data-folder='existing']").len() == 1
    });
    w.click_on("#wiz-new-folder");
    let n = w.wait_for("#wiz-new-folder-name");
    w.type_into(&n, "cairn");
    w.click_on("#wiz-new-folder-ok");
    w.wait_until("the new folder chosen", |w| {
        w.script("return document.querySelector('#wiz-folder').value") == serde_json::json!("cairn")
    });
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
    // Edit: the saved values come back, the location is fixed, the stored
    // secret is kept when the field stays empty.
    w.click_row("Offsite S3");
    w.click_on("#ribbon-edit");
    w.wait_until("the edit wizard", |w| title(w) == "Name");
    assert_eq!(
        w.script("return document.querySelector('#wiz-description').value"),
        serde_json::json!("Copies for disasters")
    );
    let d = w.wait_for("#wiz-description");
    w.clear(&d);
    w.type_into(&d, "Offsite copies, edited");
    next_to(&w, "Account");
    assert_eq!(
        w.script("return document.querySelector('#wiz-access-key').value"),
        serde_json::json!("AKIAGUI")
    );
    next_to(&w, "Bucket");
    assert_eq!(
        w.texts("#wiz-bucket-fixed"),
        vec![bucket.clone()],
        "the bucket is shown, not editable"
    );
    w.screenshot("wizard-s3-8-edit-bucket");
    next_to(&w, "Review");
    next_to(&w, "Apply");
    assert!(
        w.texts("#apply-log li")
            .contains(&"Repository Offsite S3 saved".to_string()),
        "{:?}",
        w.texts("#apply-log li")
    );
    next_to(&w, "Summary");
    w.click_on("#wiz-next");
    w.wait_until("the edited description listed", |w| {
        w.find_all(".wizard").is_empty()
            && w.texts(".data-table td")
                .contains(&"Offsite copies, edited".to_string())
    });
    w.screenshot("wizard-s3-9-edited");
    // Manage Credentials: a computer account; the password is never shown.
    w.click_on("#app-menu");
    w.click_on("#menu-credentials");
    w.click_on("#cred-add");
    for (id, v) in [
        ("#cred-name", "root@web01"),
        ("#cred-identity", "root"),
        ("#cred-secret", ACCOUNT_PASSWORD),
        ("#cred-description", "Linux server web01"),
    ] {
        let e = w.wait_for(id);
        w.type_into(&e, v);
    }
    w.click_on("#cred-save");
    w.wait_until("the account listed", |w| {
        w.texts("#credentials-table td")
            .contains(&"root@web01".to_string())
    });
    assert!(!w.source().contains(ACCOUNT_PASSWORD));
    w.screenshot("credentials-accounts");
    w.click_on("#cred-close");
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
        let hay = String::from_utf8_lossy(&content);
        assert!(
            !hay.contains(SECRET) && !hay.contains(ACCOUNT_PASSWORD),
            "secret leaked into {}",
            path.display()
        );
    }
}

#[test]
fn a_typed_local_repository_folder_is_confirmed_in_a_native_dialog_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let folder = tmp.path().join("typed/backups");
    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='repositories']");
    w.click_on("#ribbon-add-repository");
    w.click_on("#add-repo-local");
    w.wait_until("the wizard", |w| title(w) == "Name");
    let name = w.wait_for("#wiz-name");
    w.type_into(&name, "Typed folder");
    next_to(&w, "Repository");
    let path = w.wait_for("#wiz-path");
    w.type_into(&path, folder.to_str().expect("utf8"));
    next_to(&w, "Review");
    // Typed, not picked with Browse…: the shell asks, and Cancel adds
    // nothing and writes nothing.
    w.click_on("#wiz-next");
    cairn_tests::native_dialog::answer("Cairn: confirm repository folder", &["Escape"]);
    w.wait_until("the refusal shown", |w| {
        error(w).contains("was not confirmed")
    });
    assert_eq!(title(&w), "Review", "still at Review");
    assert!(
        !folder.exists(),
        "nothing written before the user confirmed"
    );
    w.screenshot("wizard-local-folder-not-confirmed");
    w.click_on("#wiz-next");
    cairn_tests::native_dialog::answer("Cairn: confirm repository folder", &["Return"]);
    w.wait_until("the repository added", |w| title(w) == "Apply");
    assert!(
        folder.join("config").exists(),
        "the repository is in the folder"
    );
}
