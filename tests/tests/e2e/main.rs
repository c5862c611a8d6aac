//! The end-to-end suite, one test binary: the CLI, the cloud backends, the
//! storage contract and the real window, against the services `.ci/test.sh`
//! starts. One binary links the SDKs once; window tests take turns through
//! a lock in `cairn_tests::webdriver`, the rest run beside them.

mod agent_install;
mod agent_queues;
mod azure_agent_install;
mod azure_machines;
mod cli_backup;
mod cli_jobs;
mod cli_restore;
mod cloud;
mod console_window;
mod crash_matrix;
mod disaster_recovery;
mod external;
mod external_window;
mod group_window;
mod hostile_repository;
mod job_wizard;
mod lost_console_window;
mod point_export;
mod point_mount;
mod protection_groups;
mod repository_wizard;
mod restore_browser;
mod restored_console_window;
mod storage_contract;
mod volume_restore;
