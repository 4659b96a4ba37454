#include <clnrm/container_registry.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

TEST(ContainerRegistry, CreatesOnceThenReuses) {
  clnrm::Metrics metrics;
  clnrm::ContainerRegistry reg(&metrics);
  int made = 0;
  auto make = [&] { ++made; return std::make_shared<int>(42); };
  auto a = reg.get_or_create<int>("redis:7|port=6379", make);
  auto b = reg.get_or_create<int>("redis:7|port=6379", make);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(made, 1);
  EXPECT_EQ(reg.created(), 1u);
  EXPECT_EQ(reg.reused(), 1u);
  EXPECT_EQ(metrics.get(clnrm::Metrics::Counter::ContainersCreated), 1u);
  EXPECT_EQ(metrics.get(clnrm::Metrics::Counter::ContainersReused), 1u);
  EXPECT_TRUE(reg.remove("redis:7|port=6379"));
  EXPECT_EQ(reg.find<int>("redis:7|port=6379"), nullptr);
}

TEST(ContainerRegistry, FailedCreationLeavesNoEntry) {
  clnrm::ContainerRegistry reg;
  EXPECT_THROW(reg.get_or_create<int>("k", []() -> std::shared_ptr<int> { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_EQ(reg.created(), 0u);
}

TEST(ContainerRegistry, ConcurrentGetOrCreateMakesOnePerKey) {
  clnrm::ContainerRegistry reg;
  std::atomic<int> made{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        reg.get_or_create<int>("k" + std::to_string(i % 10), [&] { made.fetch_add(1); return std::make_shared<int>(i); });
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(made.load(), 10);
  EXPECT_EQ(reg.created(), 10u);
  EXPECT_EQ(reg.reused(), 8u * 200u - 10u);
}
