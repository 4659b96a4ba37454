#pragma once
// Internal to src/spec: the key lists of each table of a test file, shared by
// the readers (check_keys) and clnrm::test_file_key_tables() (key_tables.cpp).
// The kUpstream* lists are keys upstream clnrm knows that clnrm does not
// implement: warnings naming them (parse_context.h, UnactedKeys).

#include <initializer_list>
#include <string_view>

namespace clnrm::spec_detail {

using KeyList = std::initializer_list<std::string_view>;

extern const KeyList kTopLevelKeys, kUpstreamTopLevelKeys;
extern const KeyList kTestKeys, kUpstreamTestKeys, kMetadataKeys;
extern const KeyList kServiceKeys, kUpstreamServiceKeys;
extern const KeyList kWaitForKeys, kHealthCheckKeys, kVolumeKeys;
extern const KeyList kStepKeys, kUpstreamStepKeys;
extern const KeyList kExpectFileKeys, kExpectJsonKeys, kExpectHttpKeys;
extern const KeyList kScenarioKeys, kUpstreamScenarioKeys;
extern const KeyList kAssertionKeys;
extern const KeyList kPolicyKeys, kUpstreamPolicyKeys;
extern const KeyList kLimitsKeys, kDeterminismKeys, kReportKeys;

}  // namespace clnrm::spec_detail
