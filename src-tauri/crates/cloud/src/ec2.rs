//! Amazon EC2: the instances of an account's regions, and the tag that says
//! which console manages one.

use crate::aws::{sdk_error, AwsAccess};
use crate::runtime::block_on;
use aws_sdk_ec2::types::{Filter, InstanceStateName, PlatformValues, Tag};
use cairn_core::Result;
use std::collections::BTreeMap;

/// An instance as discovery sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Instance id (`i-…`).
    pub id: String,
    /// Its `Name` tag, else its id.
    pub name: String,
    /// Windows when EC2 says so, else Linux.
    pub windows: bool,
    /// Region.
    pub region: String,
    /// State name (`running`, `stopped`, …).
    pub state: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

/// A client of EC2 in one region.
pub struct Ec2 {
    client: aws_sdk_ec2::Client,
    region: String,
}

impl Ec2 {
    /// A client with `access`; nothing is sent until the first request.
    pub fn connect(access: &AwsAccess) -> Self {
        Self {
            client: aws_sdk_ec2::Client::new(&access.sdk_config()),
            region: access.region.clone(),
        }
    }

    /// Every instance of the region that is not terminated (all pages).
    pub fn instances(&self) -> Result<Vec<Instance>> {
        let what = format!("EC2 in {}", self.region);
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = block_on(async {
                self.client
                    .describe_instances()
                    .filters(
                        Filter::builder()
                            .name("instance-state-name")
                            .values("pending")
                            .values("running")
                            .values("stopping")
                            .values("stopped")
                            .build(),
                    )
                    .set_next_token(next.clone())
                    .send()
                    .await
                    .map_err(|e| sdk_error(e, &what, "list the instances (DescribeInstances)"))
            })?;
            for r in page.reservations() {
                for i in r.instances() {
                    if let Some(inst) = self.instance(i) {
                        out.push(inst);
                    }
                }
            }
            next = page.next_token.filter(|t| !t.is_empty());
            if next.is_none() {
                return Ok(out);
            }
        }
    }

    fn instance(&self, i: &aws_sdk_ec2::types::Instance) -> Option<Instance> {
        let id = i.instance_id()?.to_string();
        let tags: BTreeMap<String, String> = i
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
            .collect();
        let state = i
            .state()
            .and_then(|s| s.name())
            .unwrap_or(&InstanceStateName::Pending)
            .as_str()
            .to_string();
        Some(Instance {
            name: tags.get("Name").cloned().unwrap_or_else(|| id.clone()),
            windows: i.platform() == Some(&PlatformValues::Windows),
            region: self.region.clone(),
            state,
            tags,
            id,
        })
    }

    /// Launches `count` instances of `image` carrying `tags` (benchmarks
    /// and drills against a compatible service); their ids.
    pub fn launch(&self, image: &str, count: i32, tags: &[(&str, &str)]) -> Result<Vec<String>> {
        use aws_sdk_ec2::types::{ResourceType, TagSpecification};
        let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        let out = block_on(async {
            self.client
                .run_instances()
                .image_id(image)
                .min_count(count)
                .max_count(count)
                .tag_specifications(spec.build())
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        e,
                        &format!("EC2 in {}", self.region),
                        "launch instances (RunInstances)",
                    )
                })
        })?;
        Ok(out
            .instances()
            .iter()
            .filter_map(|i| i.instance_id().map(str::to_string))
            .collect())
    }

    /// Sets tag `key` = `value` on an instance.
    pub fn tag(&self, id: &str, key: &str, value: &str) -> Result<()> {
        block_on(async {
            self.client
                .create_tags()
                .resources(id)
                .tags(Tag::builder().key(key).value(value).build())
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        e,
                        &format!("EC2 instance {id}"),
                        "tag the instance (CreateTags)",
                    )
                })?;
            Ok(())
        })
    }

    /// Removes tag `key` from an instance.
    pub fn untag(&self, id: &str, key: &str) -> Result<()> {
        block_on(async {
            self.client
                .delete_tags()
                .resources(id)
                .tags(Tag::builder().key(key).build())
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        e,
                        &format!("EC2 instance {id}"),
                        "remove its tag (DeleteTags)",
                    )
                })?;
            Ok(())
        })
    }
}
